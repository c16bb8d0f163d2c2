import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import MicrosoftEmulator
import NIOCore
import NIOHTTP1
import Synchronization
import SyncboardCore
import Testing
@testable import MicrosoftClient

/// A started microsoft-emulator with a work account (Ada, two calendars, tenant `tenant`), a personal account, the
/// app registration `app-id` (and `other-app`), and the Microsoft client pointed at it by configuration only.
/// Waits the client asks for are recorded, never slept.
struct GraphHarness {
    let server: MicrosoftEmulatorServer
    let http: HTTPClient
    let api: GraphAPIClient
    let endpoints: MicrosoftEndpoints
    let waits: WaitLog
    var state: MicrosoftEmulatorState { server.state }

    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let otherTenant = "99999999-8888-7777-6666-555555555555"
    static let ada = "ada@contoso.example"
    static let adaOID = "00000000-0000-0000-0000-0000000000a1"
    static let work = "AAMkWork"
    static let team = "AAMkTeam"
    static let redirect = "http://127.0.0.1:9/auth/microsoft/callback"
    static let credentials = MicrosoftCredentials(clientID: "app-id", clientSecret: "app-secret")

    static func with(tenant: String = "common", pageSize: Int = 100, _ body: (GraphHarness) async throws -> Void) async throws {
        try await EmulatedMicrosoft.with(
            accounts: [.init(oid: adaOID, tenantID: Self.tenant, email: ada, name: "Ada Lovelace"),
                       .init(oid: "00000000-0000-0000-0000-0000000000b2", tenantID: MicrosoftEndpoints.consumersTenantID, email: "bob@outlook.example", name: "Bob")],
            clients: [.init(clientID: "app-id", clientSecret: "app-secret", redirectURIs: [redirect]),
                      .init(clientID: "other-app", clientSecret: "other-secret", redirectURIs: [redirect])],
            calendars: [.init(id: work, name: "Calendar", owner: ada, isDefaultCalendar: true), .init(id: team, name: "Team", owner: ada)]
        ) { microsoft in
            try await TestHTTPClient.with { http in
                let base = URL(string: microsoft.baseURL)!
                let endpoints = MicrosoftEndpoints(authority: base, tenant: tenant, graph: base.appendingPathComponent("v1.0"))
                let waits = WaitLog()
                let retry = GraphAPIClient.RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), longestRetryAfter: .seconds(60),
                                                       sleep: { wait in waits.record(wait) })
                let api = GraphAPIClient(baseURL: endpoints.graph, http: http, retry: retry, pageSize: pageSize, timeout: TestDeadline.call)
                try await body(GraphHarness(server: microsoft.server, http: http, api: api, endpoints: endpoints, waits: waits))
            }
        }
    }

    var oauth: MicrosoftOAuthClient { MicrosoftOAuthClient(endpoints: endpoints, credentials: Self.credentials, http: http, timeout: TestDeadline.call) }

    /// An access token for Ada, as a consent would issue it.
    func token(_ email: String = ada) async -> String {
        let oid = await state.accounts.first { $0.email == email }!.oid
        return await state.issueTokens(oid: oid, clientID: "app-id", scope: MicrosoftScopes.calendarSync.joined(separator: " ")).access
    }

    func access(_ calendar: String = work) async -> CalendarAccess {
        CalendarAccess(provider: .microsoft, id: calendar, accessToken: await token(), accountEmail: Self.ada)
    }

    /// Walks the consent page for `clientID` as Ada and answers the code from the redirect (and its state).
    func authorize(url: URL, account: String = ada) async throws -> (code: String, state: String?) {
        let page = try await http.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(60))
        #expect(page.status == .ok)
        let text = String(buffer: try await page.body.collect(upTo: 1 << 20))
        let id = try #require(text.firstMatch(of: /name="request" value="([^"]+)"/)).1
        var decision = HTTPClientRequest(url: server.baseURL + "/\(endpoints.tenant)/oauth2/v2.0/authorize/decision")
        decision.method = .POST
        decision.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        decision.body = .bytes(ByteBuffer(string: "request=\(id)&action=accept&account=\(account)"))
        let answer = try await http.execute(decision, timeout: .seconds(60))
        let location = try #require(answer.headers.first(name: "Location").flatMap { URLComponents(string: $0) })
        let code = try #require(location.queryItems?.first { $0.name == "code" }?.value)
        return (code, location.queryItems?.first { $0.name == "state" }?.value)
    }

    /// Creates an event "on Outlook's side" (the emulator's control API), answering its id.
    @discardableResult
    func outlookCreate(_ calendar: String = work, _ event: JSON) async throws -> String {
        try #require(try await state.controlCreate(calendarID: calendar, event)["id"]?.string)
    }

    /// Graph requests the emulator served (optionally under a path).
    func requests(_ pathPrefix: String? = nil) async -> [GraphRequestRecord] { await state.requests(pathPrefix: pathPrefix) }

    var recordedWaits: [Duration] { waits.all }
}

/// A Graph dateTimeTimeZone value.
func at(_ dateTime: String, _ zone: String = "UTC") -> JSON { ["dateTime": .string(dateTime), "timeZone": .string(zone)] }

func meeting(_ subject: String, _ start: String, _ end: String, zone: String = "UTC", extra: [String: JSON] = [:]) -> JSON {
    var value: JSON = ["subject": .string(subject), "start": at(start, zone), "end": at(end, zone)]
    for (key, field) in extra { value[key] = field }
    return value
}

func utc(_ text: String) -> Date { try! Date(text, strategy: Date.ISO8601FormatStyle()) }

/// A window around December 2026, where the tests' events are.
let december = (start: utc("2026-12-01T00:00:00Z"), end: utc("2027-01-01T00:00:00Z"))

func query(hash: String = "work-hash") -> EventQuery {
    EventQuery(start: december.start, end: december.end, ordered: true, eventTypes: nil, calendarHash: hash)
}

/// The error a provider call threw, or nil.
func providerError(_ body: () async throws(ProviderError) -> Void) async -> ProviderError? {
    do { try await body(); return nil } catch { return error }
}

/// The waits the client asked for, recorded instead of slept.
final class WaitLog: Sendable {
    private let waits = Mutex<[Duration]>([])
    func record(_ wait: Duration) { waits.withLock { $0.append(wait) } }
    var all: [Duration] { waits.withLock { $0 } }
}
