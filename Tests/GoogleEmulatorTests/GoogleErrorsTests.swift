import Foundation
import NIOHTTP1
import Testing
@testable import GoogleEmulator

/// Error bodies as Google's "Handle API errors" guide (developers.google.com/workspace/calendar/api/guides/errors)
/// shows them.
@Suite("Emulator: error bodies from the errors guide")
struct GoogleErrorsTests {
    static let calendar = "team@group.calendar.google.com"

    @Test("Handle API errors, 410 Gone: fullSyncRequired in domain calendar, location syncToken of type parameter")
    func fullSyncRequired() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let answer = try await google.call(.GET, EmulatorHarness.events(Self.calendar) + "?syncToken=stale", token: ada)
            let item = answer.json["error"]?["errors"]?[0]
            #expect(answer.status == 410 && answer.json["error"]?["code"] == 410)
            #expect(item?["domain"] == "calendar" && item?["reason"] == "fullSyncRequired" && item?["location"] == "syncToken" && item?["locationType"] == "parameter")
            #expect(item?["message"] == "Sync token is no longer valid, a full sync is required." && answer.json["error"]?["message"] == item?["message"])
        }
    }

    @Test("Handle API errors, 403 usage limits and 429: quotaExceeded, rateLimitExceeded (domain usageLimits) per account, from the seed and the control API")
    func quotaPerAccount() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com"), bob = await google.token("bob@example.org")
            let seed = try SeedFile.load(Data(#"{"faults": [{"status": 403, "reason": "quotaExceeded", "account": "ada@example.com", "count": 1}]}"#.utf8))
            try await seed.apply(to: google.state)
            let path = EmulatorHarness.events(Self.calendar)
            #expect(try await google.call(.GET, path, token: bob).status == 200, "another account is not limited")
            let limited = try await google.call(.GET, path, token: ada)
            #expect(limited.status == 403 && limited.reason == "quotaExceeded" && limited.json["error"]?["errors"]?[0]?["domain"] == "usageLimits"
                    && limited.json["error"]?["message"] == "Calendar usage limits exceeded.")
            #expect(try await google.call(.GET, path, token: ada).status == 200, "count: 1")

            #expect(try await google.call(.POST, "/emulator/faults", body: ["status": 429, "account": "bob@example.org", "count": 1]).status == 204)
            #expect(try await google.call(.GET, path, token: ada).status == 200)
            let tooMany = try await google.call(.GET, path, token: bob)
            #expect(tooMany.status == 429 && tooMany.reason == "rateLimitExceeded" && tooMany.json["error"]?["errors"]?[0]?["domain"] == "usageLimits")
            await google.state.injectFault(Fault(status: 403, reason: "rateLimitExceeded", count: 1, account: "bob@example.org"))
            let rate = try await google.call(.GET, path, token: bob)
            #expect(rate.status == 403 && rate.reason == "rateLimitExceeded" && rate.json["error"]?["message"] == "Rate Limit Exceeded")
        }
    }
}
