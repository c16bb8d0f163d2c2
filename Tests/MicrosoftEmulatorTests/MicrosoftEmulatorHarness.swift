import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
@testable import MicrosoftEmulator

/// A running Microsoft emulator with a work account (two calendars), a personal account, an app registration, and
/// an HTTP client that calls it as Syncboard would (redirects are not followed, so tests can read them).
struct MicrosoftHarness {
    let server: MicrosoftEmulatorServer
    let http: HTTPClient
    var state: MicrosoftEmulatorState { server.state }

    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let scope = "offline_access Calendars.ReadWrite User.Read openid email profile"
    static let work = "AAMkWork"
    static let team = "AAMkTeam"
    static let bobCalendar = "AAMkBob"

    static func with(_ body: (MicrosoftHarness) async throws -> Void) async throws {
        try await EmulatedMicrosoft.with(
            accounts: [.init(oid: "00000000-0000-0000-0000-0000000000a1", tenantID: tenant, email: "ada@contoso.example", name: "Ada Lovelace"),
                       .init(oid: "00000000-0000-0000-0000-0000000000b2", tenantID: IdentityRoutes.consumersTenant, email: "bob@outlook.example", name: "Bob")],
            clients: [.init(clientID: "app-id", clientSecret: "app-secret", redirectURIs: ["http://127.0.0.1:9/cb"])],
            calendars: [.init(id: work, name: "Calendar", owner: "ada@contoso.example", isDefaultCalendar: true),
                        .init(id: team, name: "Team", owner: "ada@contoso.example"),
                        .init(id: bobCalendar, name: "Calendar", owner: "bob@outlook.example", isDefaultCalendar: true)],
            seed: { await $0.allowPlainHTTPNotifications(true) }
        ) { microsoft in
            try await TestHTTPClient.with { http in try await body(MicrosoftHarness(server: microsoft.server, http: http)) }
        }
    }

    /// An access token for the account, as a consent would issue it.
    func token(_ email: String) async -> String {
        let oid = await state.accounts.first { $0.email == email }!.oid
        return await state.issueTokens(oid: oid, clientID: "app-id", scope: Self.scope).access
    }

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let text: String
        var json: JSON { (try? JSON.parse(Data(text.utf8))) ?? .null }
        var errorCode: String? { json["error"]?["code"]?.string }
        var value: [JSON] { json["value"]?.array ?? [] }
    }

    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, body: JSON? = nil, form: [String: String]? = nil,
              headers extra: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : server.baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.data()))
        }
        if let form {
            var components = URLComponents()
            components.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
            let encoded = components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: encoded))
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(decoding: data, as: UTF8.self))
    }

    static func events(_ calendarID: String) -> String { "/v1.0/me/calendars/\(calendarID)/events" }
}

/// A Graph dateTimeTimeZone value.
func at(_ dateTime: String, _ zone: String = "UTC") -> JSON { ["dateTime": .string(dateTime), "timeZone": .string(zone)] }

func meeting(_ subject: String, _ start: String, _ end: String, zone: String = "UTC", extra: [String: JSON] = [:]) -> JSON {
    var value: JSON = ["subject": .string(subject), "start": at(start, zone), "end": at(end, zone)]
    for (key, field) in extra { value[key] = field }
    return value
}

func query(_ items: [String: String]) -> String {
    var components = URLComponents()
    components.queryItems = items.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
    return "?" + components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
}
