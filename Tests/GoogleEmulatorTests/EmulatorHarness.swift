import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import EmulatorTestKit
import Testing
@testable import GoogleEmulator

/// A running emulator with two accounts, a few calendars and an HTTP client that calls it as Syncboard would.
struct EmulatorHarness {
    let server: GoogleEmulatorServer
    let http: HTTPClient
    var state: EmulatorState { server.state }

    static let calendarScope = EmulatedGoogle.calendarScope

    static func with(_ body: (EmulatorHarness) async throws -> Void) async throws {
        try await EmulatedGoogle.with(
            accounts: [.init(subject: "1", email: "ada@example.com", name: "Ada"), .init(subject: "2", email: "bob@example.org", name: "Bob")],
            calendars: [.init(id: "ada@example.com", summary: "Ada", timeZone: "Europe/Berlin", roles: ["ada@example.com": "owner", "bob@example.org": "reader"]),
                        .init(id: "team@group.calendar.google.com", summary: "Team", roles: ["ada@example.com": "writer", "bob@example.org": "owner"]),
                        EmulatedGoogle.calendar("bob@example.org", "Bob", owner: "bob@example.org")],
            seed: { await $0.addClient(.init(clientID: "client", clientSecret: "secret", redirectURIs: ["http://127.0.0.1:9/cb"])) }
        ) { google in
            try await TestHTTPClient.with(followingRedirects: true) { http in try await body(EmulatorHarness(server: google.server, http: http)) }
        }
    }

    /// An access token for the account, with these scopes.
    func token(_ email: String, scope: String = calendarScope) async -> String {
        let subject = await state.accounts.first { $0.email == email }!.subject
        return await state.issueTokens(subject: subject, clientID: "client", scope: scope, offline: true).access
    }

    struct Answer {
        let status: Int
        let json: JSONValue
        var reason: String? { json["error"]?["errors"]?.array?.first?["reason"]?.string }
        var items: [JSONValue] { json["items"]?.array ?? [] }
    }

    /// A Calendar API (or control API) call; `path` is below the server's base URL and already encoded.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, body: JSONValue? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.data()))
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        return Answer(status: Int(response.status.code), json: data.isEmpty ? .null : try JSONValue.parse(data))
    }

    static func events(_ calendarID: String) -> String {
        "/calendar/v3/calendars/\(calendarID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "@#/")))!)/events"
    }

    /// Every page of events.list, following nextPageToken.
    func listAll(_ calendarID: String, token: String, query: String = "") async throws -> (items: [JSONValue], pages: Int, syncToken: String?) {
        var items: [JSONValue] = []
        var pageToken: String?
        var pages = 0
        while true {
            var path = Self.events(calendarID) + "?" + query
            if let pageToken { path += "&pageToken=\(pageToken)" }
            let answer = try await call(.GET, path, token: token)
            #expect(answer.status == 200, "\(answer.json)")
            pages += 1
            items += answer.items
            guard let next = answer.json["nextPageToken"]?.string else { return (items, pages, answer.json["nextSyncToken"]?.string) }
            pageToken = next
        }
    }
}

extension Date {
    /// RFC 3339 in UTC, as a query parameter value.
    var rfc3339: String { formatted(Date.ISO8601FormatStyle()) }
}

func event(_ summary: String, start: String, end: String, extra: [String: JSONValue] = [:]) -> JSONValue {
    var value: JSONValue = ["summary": .string(summary), "start": ["dateTime": .string(start)], "end": ["dateTime": .string(end)]]
    for (key, field) in extra { value[key] = field }
    return value
}
