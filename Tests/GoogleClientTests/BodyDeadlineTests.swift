import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import Testing
@testable import GoogleClient

/// AsyncHTTPClient's deadline ends when the answer's head arrives; the Google clients read the body against the
/// same deadline, so a server that sends headers and then drips the body fails the call in time, as a network
/// failure (transient: retried, then the run is retried later) instead of holding the run until its time limit.
@Suite("Google client: a body that never finishes")
struct GoogleBodyDeadlineTests {
    /// Long enough that a loaded machine still connects and sends the request within it (so each attempt reaches the
    /// server), short enough that the test stays quick.
    static let deadline: Duration = .seconds(3)

    @Test("Calendar API: each attempt ends at its deadline though the head came at once; two attempts, then a transient network error")
    func calendarAPIDrip() async throws {
        try await DripServer.with { server in
            try await TestHTTPClient.with { http in
                let api = CalendarAPIClient(baseURL: URL(string: server.baseURL + "/calendar/v3")!, http: http,
                                            retry: .init(maxAttempts: 2, baseDelay: .milliseconds(1)), timeout: Self.deadline)
                let began = ContinuousClock.now
                let error = await #expect(throws: GoogleError.self) { try await api.calendarList(accessToken: "token") }
                let took = ContinuousClock.now - began
                #expect(error == .network("no complete answer within \(Self.deadline)"))
                #expect(error?.isTransient == true)
                #expect(server.requests == 2, "each attempt was cut by the deadline and retried")
                // The server never finishes the body: only the deadlines end the call (bounded for a loaded machine, far below "never").
                #expect(took >= Self.deadline * 2 && took < .seconds(90), "\(took)")
            }
        }
    }

    @Test("OAuth token endpoint: a dripped answer is a transient network error within the client's timeout")
    func oauthDrip() async throws {
        try await DripServer.with { server in
            try await TestHTTPClient.with { http in
                let base = URL(string: server.baseURL)!
                let endpoints = GoogleEndpoints(issuer: base, authorization: base.appendingPathComponent("auth"), token: base.appendingPathComponent("token"),
                                                revocation: base.appendingPathComponent("revoke"), userinfo: base.appendingPathComponent("userinfo"),
                                                jwks: base.appendingPathComponent("jwks"), calendarAPI: base.appendingPathComponent("calendar/v3"))
                let client = GoogleOAuthClient(endpoints: endpoints, credentials: .init(clientID: "id", clientSecret: "secret"), http: http, timeout: Self.deadline)
                let began = ContinuousClock.now
                let error = await #expect(throws: GoogleError.self) { try await client.refresh(refreshToken: "refresh") }
                #expect(error == .network("no complete answer within \(Self.deadline)"))
                #expect(error?.isTransient == true)
                #expect(ContinuousClock.now - began < .seconds(90), "only the deadline ends it: the server never finishes")
            }
        }
    }
}
