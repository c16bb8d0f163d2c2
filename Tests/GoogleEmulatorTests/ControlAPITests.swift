import Foundation
import NIOHTTP1
import Testing
@testable import GoogleEmulator

@Suite("Emulator: control API, faults, request log, seed and demo")
struct ControlAPITests {
    let team = EmulatorHarness.events("team@group.calendar.google.com")

    @Test("faults: the next N requests fail with Google's rate-limit and server-error bodies, then requests succeed")
    func countedFaults() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            #expect(try await google.call(.POST, "/emulator/faults", body: ["status": 429, "count": 2]).status == 204)
            let first = try await google.call(.GET, team, token: ada)
            #expect(first.status == 429 && first.reason == "rateLimitExceeded" && first.json["error"]?["errors"]?[0]?["domain"] == "usageLimits")
            #expect(try await google.call(.GET, team, token: ada).status == 429)
            #expect(try await google.call(.GET, team, token: ada).status == 200, "only the next two requests fail")

            try await google.call(.POST, "/emulator/faults", body: ["status": 403, "reason": "rateLimitExceeded", "count": 1, "method": "POST"])
            #expect(try await google.call(.GET, team, token: ada).status == 200, "the fault is limited to POST")
            let limited = try await google.call(.POST, team, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            #expect(limited.status == 403 && limited.reason == "rateLimitExceeded" && limited.json["error"]?["message"] == "Rate Limit Exceeded")

            try await google.call(.POST, "/emulator/faults", body: ["status": 503, "count": 1])
            let unavailable = try await google.call(.GET, team, token: ada)
            #expect(unavailable.status == 503 && unavailable.reason == "backendError")
            #expect(try await google.call(.POST, "/emulator/faults", body: ["status": 200]).status == 400, "a fault must be an error status")
        }
    }

    @Test("a fraction of requests fail, repeatably with a seed; latency delays every Calendar API request")
    func fractionAndLatency() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            try await google.call(.POST, "/emulator/faults", body: ["status": 500, "fraction": 0.3, "seed": 7])
            var failures = 0
            for _ in 0..<100 where try await google.call(.GET, team, token: ada).status == 500 { failures += 1 }
            #expect((15...45).contains(failures), "about 30 of 100 fail: \(failures)")
            #expect(try await google.call(.DELETE, "/emulator/faults").status == 204)
            #expect(try await google.call(.GET, team, token: ada).status == 200)

            try await google.call(.PUT, "/emulator/latency", body: ["milliseconds": 150])
            let started = ContinuousClock.now
            _ = try await google.call(.GET, team, token: ada)
            #expect(ContinuousClock.now - started >= .milliseconds(150))
        }
    }

    @Test("the request log records every Calendar API call, can be filtered and cleared")
    func requestLog() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            _ = try await google.call(.GET, "/calendar/v3/users/me/calendarList", token: ada)
            _ = try await google.call(.GET, team + "?maxResults=10", token: ada)
            _ = try await google.call(.POST, team, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let log = try await google.call(.GET, "/emulator/requests")
            #expect(log.json["count"] == 3)
            let entries = try #require(log.json["requests"]?.array)
            #expect(entries[1]["method"] == "GET" && entries[1]["query"] == "maxResults=10" && entries[1]["status"] == 200)
            #expect(entries.allSatisfy { $0["subject"] == "1" && $0["email"] == "ada@example.com" }, "each call names the account behind its token")
            let posts = try await google.call(.GET, "/emulator/requests?method=POST&pathPrefix=/calendar/v3/calendars/")
            #expect(posts.json["count"] == 1)
            #expect(await google.state.requests(pathPrefix: "/calendar/v3/users").count == 1)
            #expect(try await google.call(.DELETE, "/emulator/requests").status == 204)
            #expect(try await google.call(.GET, "/emulator/requests").json["count"] == 0)
        }
    }

    @Test("the request log names the caller's account per token: another account, an expired token, and no or an unknown token")
    func requestLogCaller() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com"), bob = await google.token("bob@example.org")
            _ = try await google.call(.GET, team, token: bob)
            _ = try await google.call(.GET, team, token: ada)
            await google.state.expireAccessTokens()
            #expect(try await google.call(.GET, team, token: bob).status == 401)
            _ = try await google.call(.GET, team)
            _ = try await google.call(.GET, team, token: "ya29.unknown")
            let entries = try #require(try await google.call(.GET, "/emulator/requests").json["requests"]?.array)
            #expect(entries.map { $0["email"]?.string } == ["bob@example.org", "ada@example.com", "bob@example.org", nil, nil])
            #expect(entries.map { $0["subject"]?.string } == ["2", "1", "2", nil, nil])
            #expect(await google.state.requests().map(\.email) == ["bob@example.org", "ada@example.com", "bob@example.org", nil, nil])
        }
    }

    @Test("accounts, calendars, roles, events and revocation through the control API")
    func controlOverHTTP() async throws {
        try await EmulatorHarness.with { google in
            #expect(try await google.call(.POST, "/emulator/accounts", body: ["email": "cy@example.com", "name": "Cy"]).status == 201)
            #expect(try await google.call(.POST, "/emulator/calendars", body: ["id": "cy@example.com", "summary": "Cy", "timeZone": "UTC",
                                                                                 "backgroundColor": "#123456", "roles": ["cy@example.com": "owner"]]).status == 201)
            let added = try await google.call(.POST, "/emulator/calendars/cy@example.com/events",
                                              body: event("Lunch", start: "2026-12-01T12:00:00Z", end: "2026-12-01T13:00:00Z"))
            #expect(added.status == 201)
            let id = try #require(added.json["id"]?.string)
            #expect(try await google.call(.PATCH, "/emulator/calendars/cy@example.com/events/\(id)", body: ["summary": "Long lunch"]).json["summary"] == "Long lunch")
            let cy = await google.token("cy@example.com")
            #expect(try await google.call(.GET, EmulatorHarness.events("cy@example.com"), token: cy).items.map { $0["summary"] } == ["Long lunch"])

            #expect(try await google.call(.PUT, "/emulator/calendars/cy@example.com/roles/cy@example.com", body: ["role": "reader"]).status == 204)
            let refused = try await google.call(.POST, EmulatorHarness.events("cy@example.com"), token: cy,
                                                body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            #expect(refused.reason == "requiredAccessLevel", "the role change applies at once")
            #expect(try await google.call(.PUT, "/emulator/calendars/nope/roles/cy@example.com", body: ["role": "reader"]).status == 404)

            #expect(try await google.call(.DELETE, "/emulator/calendars/cy@example.com/events/\(id)").status == 204)
            #expect(try await google.call(.GET, "/emulator/calendars/cy@example.com/events").items.first?["status"] == "cancelled")

            let subject = await google.state.accounts.first { $0.email == "cy@example.com" }!.subject
            let refresh = try #require(await google.state.issueTokens(subject: subject, clientID: "client", scope: EmulatorHarness.calendarScope, offline: true).refresh)
            #expect(try await google.call(.POST, "/emulator/revoke", body: ["email": "cy@example.com"]).status == 204)
            #expect(await google.state.isRevoked(refreshToken: refresh))
            #expect(try await google.call(.GET, EmulatorHarness.events("cy@example.com"), token: cy).status == 401, "revocation takes the access tokens too")

            let snapshot = try await google.call(.GET, "/emulator/state")
            #expect(snapshot.json["accounts"]?.array?.count == 3 && snapshot.json["calendars"]?.array?.count == 4)
        }
    }

    @Test("the example seed file loads, and a seed naming an unknown calendar is refused")
    func seedFile() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/emulator-seed.example.json")
        let seed = try SeedFile.load(try Data(contentsOf: url))
        let state = EmulatorState()
        try await seed.apply(to: state)
        let accounts = await state.accounts.count, clients = await state.clients.count
        #expect(accounts == 2 && clients == 1)
        let events = await state.storedEvents(calendarID: "alice@example.com")
        #expect(events.count == 3 && events.allSatisfy { $0["id"] != nil && $0["etag"] != nil })
        #expect(await state.faults == [Fault(status: 403, reason: "quotaExceeded", count: 1, account: "bob@example.org")], "a per-account quota error")

        let broken = try SeedFile.load(Data(#"{"events": {"nobody@example.com": [{"summary": "x", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}}]}}"#.utf8))
        await #expect(throws: EmulatorControlError.self) { try await broken.apply(to: EmulatorState()) }
    }

    @Test("a seed calendar without backgroundColor or timeZone gets Google's defaults instead of being refused")
    func seedCalendarDefaults() async throws {
        let seed = try SeedFile.load(Data(#"{"accounts": [{"subject": "9", "email": "new@example.com", "name": "New"}], "calendars": [{"id": "new@example.com", "summary": "New", "roles": {"new@example.com": "owner"}}], "events": {"new@example.com": [{"summary": "x", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}}]}}"#.utf8))
        let state = EmulatorState()
        try await seed.apply(to: state)
        let calendar = try #require(await state.calendars.first)
        #expect(calendar.timeZone == "UTC" && calendar.backgroundColor == "#9fe1e7")
        #expect(await state.storedEvents(calendarID: "new@example.com").count == 1)
        #expect(throws: DecodingError.self, "a calendar still needs its id") { try SeedFile.load(Data(#"{"calendars": [{"summary": "No id"}]}"#.utf8)) }
    }

    @Test("the demo world: three people, a shared read-only calendar, and weeks of events around today")
    func demoWorld() async throws {
        let state = EmulatorState()
        let now = Date()
        try await DemoWorld.seed(state, client: .init(clientID: "demo", clientSecret: "s", redirectURIs: ["http://127.0.0.1:8080/auth/google/callback"]), now: now)
        #expect(await state.accounts.count == 3)
        #expect(await state.calendars(visibleTo: "ada@example.com").contains { $0.0.id == "holidays@group.calendar.example" && $0.1 == "reader" })
        var query = EventQuery()
        query.singleEvents = true
        query.timeMin = now.addingTimeInterval(-14 * 86_400)
        query.timeMax = now.addingTimeInterval(28 * 86_400)
        let engine = try await state.listEvents(calendarID: "ada.work@group.calendar.example", query: query).items
        #expect(engine.filter { $0["summary"] == "Engine stand-up" }.count >= 15, "the stand-up recurs three times a week")
        #expect(engine.contains { $0["eventType"] == "focusTime" })
        #expect(engine.contains { $0["attendees"]?.array?.contains { $0["responseStatus"] == "declined" } == true })
        #expect(engine.contains { $0["start"]?["date"] != nil }, "an all-day event")

        // Like a real calendar: a moved and retitled occurrence, a cancelled one, a series across a daylight-saving change.
        let ada = try await state.listEvents(calendarID: "ada@example.com", query: query).items
        let oneToOnes = ada.filter { $0["summary"]?.string?.hasPrefix("1:1 Ada / Grace") == true }
        let moved = oneToOnes.filter { $0["summary"]?.string?.contains("moved") == true }
        #expect(moved.count == 1 && moved.first?["originalStartTime"] != nil && moved.first?["recurringEventId"] != nil,
                "one occurrence of the one-to-one is an exception that keeps its original start")
        #expect(moved.first?["start"]?["dateTime"] != moved.first?["originalStartTime"]?["dateTime"], "and it is at another time")
        #expect(oneToOnes.count >= 5)
        var withDeleted = query
        withDeleted.showDeleted = true
        let standUps = try await state.listEvents(calendarID: "ada.work@group.calendar.example", query: withDeleted).items
            .filter { $0["recurringEventId"] != nil && $0["status"] == "cancelled" }
        let londonOnGMT = TimeZone(identifier: "Europe/London")!.secondsFromGMT(for: now) == 0
        #expect(standUps.count == (londonOnGMT ? 1 : 0), "a cancelled stand-up (made while London is on GMT)")

        var year = query
        year.timeMax = now.addingTimeInterval(300 * 86_400)
        let calls = try await state.listEvents(calendarID: "grace@example.org", query: year).items.filter { $0["summary"] == "Transatlantic sync" }
        let utcHours = Set(calls.compactMap { $0["start"]?["dateTime"]?.string }.compactMap { try? Date($0, strategy: .iso8601) }
            .map { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: $0).hour! })
        #expect(utcHours.count == 2, "the New York call moves by an hour in UTC across the change: \(utcHours)")
    }
}
