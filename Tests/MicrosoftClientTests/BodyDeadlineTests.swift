import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import SyncboardCore
import Testing
@testable import MicrosoftClient

/// AsyncHTTPClient's deadline ends when the answer's head arrives; the Graph and identity clients read the body
/// against the same deadline, so a server that sends headers and then drips the body fails the call in time, as a
/// network failure (transient) instead of holding the run until its time limit.
@Suite("Microsoft client: a body that never finishes")
struct MicrosoftBodyDeadlineTests {
    /// Long enough that a loaded machine still connects and sends the request within it (so each attempt reaches the
    /// server), short enough that the test stays quick.
    static let deadline: Duration = .seconds(3)

    @Test("Graph: each attempt ends at its deadline though the head came at once; two attempts, then a transient network error")
    func graphDrip() async throws {
        try await DripServer.with { server in
            try await TestHTTPClient.with { http in
                let retry = GraphAPIClient.RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), sleep: { _ in })
                let api = GraphAPIClient(baseURL: URL(string: server.baseURL + "/v1.0")!, http: http, retry: retry, timeout: Self.deadline)
                let began = ContinuousClock.now
                let error = await #expect(throws: MicrosoftError.self) { try await api.calendars(accessToken: "token") }
                let took = ContinuousClock.now - began
                #expect(error == .network("no complete answer within \(Self.deadline)"))
                #expect(error?.isTransient == true)
                #expect(error?.providerError.kind == .transient)
                #expect(server.requests == 2, "each attempt was cut by the deadline and retried")
                // The server never finishes the body: only the deadlines end the call (bounded for a loaded machine, far below "never").
                #expect(took >= Self.deadline * 2 && took < .seconds(90), "\(took)")
                // The mailbox's places were given back: the limiter does not hold the timed-out calls.
                #expect(await api.limiter.load(forToken: "token").active == 0)
            }
        }
    }

    @Test("identity platform token endpoint: a dripped answer is a transient network error within the client's timeout")
    func oauthDrip() async throws {
        try await DripServer.with { server in
            try await TestHTTPClient.with { http in
                let base = URL(string: server.baseURL)!
                let client = MicrosoftOAuthClient(endpoints: MicrosoftEndpoints(authority: base, tenant: "common", graph: base.appendingPathComponent("v1.0")),
                                                  credentials: MicrosoftCredentials(clientID: "app-id", clientSecret: "secret"), http: http, timeout: Self.deadline)
                let began = ContinuousClock.now
                let error = await #expect(throws: MicrosoftError.self) { try await client.refresh(refreshToken: "refresh") }
                #expect(error == .network("no complete answer within \(Self.deadline)"))
                #expect(error?.isTransient == true)
                #expect(ContinuousClock.now - began < .seconds(90), "only the deadline ends it: the server never finishes")
            }
        }
    }
}
