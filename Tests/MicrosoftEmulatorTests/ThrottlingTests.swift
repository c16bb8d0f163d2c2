import Foundation
import Testing
@testable import MicrosoftEmulator

/// concepts/throttling.md ("429 Too Many Requests … Retry-After header") and concepts/throttling-limits.md
/// (Outlook: per app and mailbox; mailbox concurrency may answer 503 with Retry-After).
struct ThrottlingTests {
    @Test func faultsThrottleOneMailboxWithRetryAfter() async throws {
        try await MicrosoftHarness.with { h in
            let ada = await h.token("ada@contoso.example"), bob = await h.token("bob@outlook.example")
            try await h.call(.POST, "/emulator/faults", body: ["status": 429, "retryAfter": 7, "count": 2, "email": "ada@contoso.example"])
            let throttled = try await h.call(.GET, "/v1.0/me/calendars", token: ada)
            #expect(throttled.status == 429)
            #expect(throttled.headers.first(name: "Retry-After") == "7")
            #expect(throttled.errorCode == "TooManyRequests")
            // Another mailbox is not throttled.
            #expect(try await h.call(.GET, "/v1.0/me/calendars", token: bob).status == 200)
            #expect(try await h.call(.GET, "/v1.0/me/calendars", token: ada).status == 429)
            // The count is used up.
            #expect(try await h.call(.GET, "/v1.0/me/calendars", token: ada).status == 200)

            try await h.call(.POST, "/emulator/faults", body: ["status": 503, "retryAfter": 3, "count": 1, "pathPrefix": "/v1.0/me/calendars"])
            let unavailable = try await h.call(.GET, "/v1.0/me/calendars", token: bob)
            #expect(unavailable.status == 503)
            #expect(unavailable.headers.first(name: "Retry-After") == "3")
            let log = try await h.call(.GET, "/emulator/requests?pathPrefix=/v1.0/me/calendars").json
            #expect(log["count"]?.int == 5)
            #expect(try await h.call(.POST, "/emulator/faults", body: ["status": 500]).status == 400)
        }
    }
}
