import Foundation
import NIOHTTP1
import Testing
@testable import GoogleEmulator

@Suite("Emulator: Calendar API events")
struct EventsAPITests {
    let team = EmulatorHarness.events("team@group.calendar.google.com")

    @Test("insert fills Google's fields; get, patch, update and delete behave as Google's do")
    func lifecycle() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let created = try await google.call(.POST, team + "?sendUpdates=none", token: ada, body: event(
                "Planning", start: "2026-12-01T10:00:00+01:00", end: "2026-12-01T11:00:00+01:00",
                extra: ["description": "Agenda", "attendees": [["email": "ada@example.com"], ["email": "carol@example.com", "responseStatus": "accepted"]],
                        "extendedProperties": ["private": ["origin": "tests"]], "conferenceData": ["conferenceId": "abc-defg-hij"]]))
            #expect(created.status == 200)
            let id = try #require(created.json["id"]?.string)
            #expect(EmulatorState.isValidEventID(id), "ids are base32hex like Google's")
            #expect(created.json["kind"] == "calendar#event" && created.json["status"] == "confirmed")
            #expect(created.json["iCalUID"]?.string == "\(id)@google.com")
            #expect(created.json["htmlLink"]?.string?.hasPrefix("https://www.google.com/calendar/event?eid=") == true)
            #expect(created.json["etag"]?.string?.hasPrefix("\"") == true && created.json["created"] != nil && created.json["updated"] != nil)
            #expect(created.json["organizer"]?["email"] == "team@group.calendar.google.com")
            #expect(created.json["conferenceData"]?["conferenceId"] == "abc-defg-hij", "fields the emulator does not interpret round-trip")
            let attendees = try #require(created.json["attendees"]?.array)
            #expect(attendees[0]["self"] == true && attendees[0]["responseStatus"] == "needsAction")
            #expect(attendees[1]["self"] == nil && attendees[1]["responseStatus"] == "accepted")

            let fetched = try await google.call(.GET, team + "/\(id)", token: ada)
            #expect(fetched.status == 200 && fetched.json["summary"] == "Planning")

            let patched = try await google.call(.PATCH, team + "/\(id)", token: ada, body: ["summary": "Planning (moved)",
                                                                                            "extendedProperties": ["private": ["extra": "1"]]])
            #expect(patched.json["summary"] == "Planning (moved)" && patched.json["description"] == "Agenda", "patch keeps what it does not name")
            #expect(patched.json["extendedProperties"]?["private"] == ["origin": "tests", "extra": "1"], "patch merges nested objects")
            #expect(patched.json["etag"] != created.json["etag"])

            let updated = try await google.call(.PUT, team + "/\(id)", token: ada, body: event("Planning v2", start: "2026-12-01T12:00:00Z", end: "2026-12-01T13:00:00Z"))
            #expect(updated.json["summary"] == "Planning v2" && updated.json["description"] == nil, "update replaces the whole event")
            #expect(updated.json["id"]?.string == id && updated.json["created"] == created.json["created"])
            #expect(updated.json["sequence"] == 1, "a time change raises the sequence")

            #expect(try await google.call(.DELETE, team + "/\(id)?sendUpdates=none", token: ada).status == 204)
            let again = try await google.call(.DELETE, team + "/\(id)", token: ada)
            #expect(again.status == 410 && again.reason == "deleted")
            #expect(try await google.call(.GET, team + "/\(id)", token: ada).json["status"] == "cancelled", "a deleted event reads as cancelled")
            let unknown = try await google.call(.GET, team + "/nosuchevent1", token: ada)
            #expect(unknown.status == 404 && unknown.reason == "notFound" && unknown.json["error"]?["code"] == 404)
        }
    }

    @Test("bad event bodies answer 400 with Google's reasons, and a taken id 409")
    func badBodies() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let noEnd = try await google.call(.POST, team, token: ada, body: ["summary": "x", "start": ["dateTime": "2026-12-01T10:00:00Z"]])
            #expect(noEnd.status == 400 && noEnd.reason == "required" && noEnd.json["error"]?["message"] == "Missing end time.")
            let backwards = try await google.call(.POST, team, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T09:00:00Z"))
            #expect(backwards.status == 400 && backwards.reason == "timeRangeEmpty", "Handle API errors: timeRangeEmpty")
            let badID = try await google.call(.POST, team, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z", extra: ["id": "UPPER-case"]))
            #expect(badID.status == 400 && badID.reason == "invalid")
            let chosen = try await google.call(.POST, team, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z", extra: ["id": "abc123def"]))
            #expect(chosen.json["id"] == "abc123def")
            let taken = try await google.call(.POST, team, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z", extra: ["id": "abc123def"]))
            #expect(taken.status == 409 && taken.reason == "duplicate")
        }
    }

    @Test("access control: 401 without a live token, 403 without a scope or the writer role, 404 for an unseen calendar")
    func accessControl() async throws {
        try await EmulatorHarness.with { google in
            let body = event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z")
            let missing = try await google.call(.GET, team)
            #expect(missing.status == 401 && missing.reason == "authError" && missing.json["error"]?["status"] == "UNAUTHENTICATED")
            #expect(try await google.call(.GET, team, token: "ya29.unknown").status == 401)
            let ada = await google.token("ada@example.com")
            await google.state.expireAccessTokens()
            let expired = try await google.call(.GET, team, token: ada)
            #expect(expired.status == 401 && expired.reason == "authError", "an expired access token")

            let readOnly = await google.token("ada@example.com", scope: "openid https://www.googleapis.com/auth/calendar.readonly")
            #expect(try await google.call(.GET, team, token: readOnly).status == 200, "a read-only scope reads")
            let noScope = try await google.call(.POST, team, token: readOnly, body: body)
            #expect(noScope.status == 403 && noScope.reason == "insufficientPermissions")
            let signInOnly = await google.token("ada@example.com", scope: "openid email")
            #expect(try await google.call(.GET, team, token: signInOnly).reason == "insufficientPermissions")

            let bob = await google.token("bob@example.org")
            let reader = try await google.call(.POST, EmulatorHarness.events("ada@example.com"), token: bob, body: body)
            #expect(reader.status == 403 && reader.reason == "requiredAccessLevel", "a reader cannot write")
            #expect(try await google.call(.GET, EmulatorHarness.events("ada@example.com"), token: bob).status == 200, "but can read")
            let unseen = try await google.call(.GET, EmulatorHarness.events("bob@example.org"), token: await google.token("ada@example.com"))
            #expect(unseen.status == 404 && unseen.reason == "notFound")
            #expect(try await google.call(.GET, EmulatorHarness.events("primary"), token: bob).json["summary"] == "Bob", "primary is the caller's own calendar")
        }
    }

    @Test("events.list filters by time, extended property, type and deletion, and pages without duplicates")
    func listing() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let state = google.state
            let base = try #require(EmulatorState.parseTime("2026-12-01T00:00:00Z"))
            for index in 0..<1_100 {
                let start = base.addingTimeInterval(Double(index) * 3600)
                var body = event("Event \(index)", start: start.rfc3339, end: start.addingTimeInterval(1800).rfc3339)
                if index % 100 == 0 { body["extendedProperties"] = ["private": ["inovex.calendarsync.SourceID": "abc=", "n": .string("\(index)")]] }
                if index == 5 { body["eventType"] = "focusTime" }
                try await state.addEvent(calendarID: "team@group.calendar.google.com", body)
            }
            let all = try await google.listAll("team@group.calendar.google.com", token: ada, query: "maxResults=250")
            #expect(all.items.count == 1_100 && all.pages == 5)
            #expect(Set(all.items.compactMap { $0["id"]?.string }).count == 1_100, "no event appears twice across pages")
            #expect(all.syncToken != nil, "the last page carries nextSyncToken")

            let window = try await google.listAll("team@group.calendar.google.com", token: ada,
                                                  query: "timeMin=\(base.addingTimeInterval(10 * 3600).rfc3339)&timeMax=\(base.addingTimeInterval(20 * 3600).rfc3339)")
            #expect(window.items.compactMap { $0["summary"]?.string } == (10..<20).map { "Event \($0)" }, "an event is in range when it ends after timeMin and starts before timeMax")

            let tagged = try await google.listAll("team@group.calendar.google.com", token: ada,
                                                  query: "privateExtendedProperty=inovex.calendarsync.SourceID%3Dabc%3D&privateExtendedProperty=n%3D300")
            #expect(tagged.items.compactMap { $0["summary"]?.string } == ["Event 300"], "every privateExtendedProperty must match")

            let focus = try await google.listAll("team@group.calendar.google.com", token: ada, query: "eventTypes=focusTime")
            #expect(focus.items.compactMap { $0["summary"]?.string } == ["Event 5"])

            let first = try #require(all.items.first?["id"]?.string)
            try await state.removeEvent(calendarID: "team@group.calendar.google.com", eventID: first)
            #expect(try await google.listAll("team@group.calendar.google.com", token: ada).items.count == 1_099)
            let withDeleted = try await google.listAll("team@group.calendar.google.com", token: ada, query: "showDeleted=true")
            #expect(withDeleted.items.count == 1_100 && withDeleted.items.contains { $0["id"]?.string == first && $0["status"] == "cancelled" })

            let bad = try await google.call(.GET, EmulatorHarness.events("team@group.calendar.google.com") + "?orderBy=startTime", token: ada)
            #expect(bad.status == 400, "orderBy=startTime needs singleEvents=true, as at Google")
            let big = try await google.call(.GET, EmulatorHarness.events("team@group.calendar.google.com") + "?maxResults=2500", token: ada)
            #expect(big.items.count == 1_099 && big.json["nextPageToken"] == nil)
            let empty = try await google.call(.GET, EmulatorHarness.events("team@group.calendar.google.com")
                                              + "?timeMin=2026-12-02T00:00:00Z&timeMax=2026-12-01T00:00:00Z", token: ada)
            #expect(empty.status == 400 && empty.json["error"]?["errors"]?[0]?["reason"] == "timeRangeEmpty"
                    && empty.json["error"]?["errors"]?[0]?["domain"] == "calendar", "as Google's errors page shows it")
        }
    }

    @Test("singleEvents expands weekly and all-day recurrences into instances, leaving out EXDATEs")
    func recurrence() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            // Monday 7 December 2026, 09:00 in Berlin; Mondays and Wednesdays, five times, one exception.
            let standup = try await google.state.addEvent(calendarID: "ada@example.com", [
                "summary": "Stand-up", "start": ["dateTime": "2026-12-07T09:00:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-12-07T09:15:00+01:00", "timeZone": "Europe/Berlin"],
                "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5", "EXDATE;TZID=Europe/Berlin:20261209T090000"]])
            try await google.state.addEvent(calendarID: "ada@example.com", [
                "summary": "Trip", "start": ["date": "2026-12-20"], "end": ["date": "2026-12-21"], "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"]])
            let masters = try await google.listAll("ada@example.com", token: ada)
            #expect(masters.items.count == 2 && masters.items[0]["recurrence"] != nil, "without singleEvents the recurring event itself is listed")

            let expanded = try await google.listAll("ada@example.com", token: ada, query: "singleEvents=true&orderBy=startTime&timeMin=2026-12-01T00:00:00Z&timeMax=2027-01-01T00:00:00Z")
            let standups = expanded.items.filter { $0["summary"] == "Stand-up" }
            #expect(standups.count == 4, "five occurrences minus the EXDATE")
            let masterID = try #require(standup["id"]?.string)
            #expect(standups.map { $0["id"]?.string } == ["20261207T080000Z", "20261214T080000Z", "20261216T080000Z", "20261221T080000Z"].map { "\(masterID)_\($0)" })
            #expect(standups.allSatisfy { $0["recurringEventId"]?.string == masterID && $0["recurrence"] == nil && $0["originalStartTime"] == $0["start"] })
            let trip = expanded.items.filter { $0["summary"] == "Trip" }
            #expect(trip.compactMap { $0["start"]?["date"]?.string } == ["2026-12-20", "2026-12-21", "2026-12-22"])
            #expect(trip.compactMap { $0["end"]?["date"]?.string } == ["2026-12-21", "2026-12-22", "2026-12-23"])
            let starts = expanded.items.compactMap { EmulatorState.instant($0["start"], zone: TimeZone(identifier: "Europe/Berlin")!) }
            #expect(starts == starts.sorted(), "orderBy=startTime")
        }
    }

    @Test("a sync token lists only what changed since, deletions included; a stale one answers 410")
    func syncTokens() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let calendar = "team@group.calendar.google.com"
            let a = try await google.state.addEvent(calendarID: calendar, event("A", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let b = try await google.state.addEvent(calendarID: calendar, event("B", start: "2026-12-02T10:00:00Z", end: "2026-12-02T11:00:00Z"))
            let full = try await google.listAll(calendar, token: ada)
            let token = try #require(full.syncToken)
            try await google.state.changeEvent(calendarID: calendar, eventID: a["id"]!.string!, patch: ["summary": "A2"])
            try await google.state.removeEvent(calendarID: calendar, eventID: b["id"]!.string!)
            let changes = try await google.listAll(calendar, token: ada, query: "syncToken=\(token)")
            #expect(changes.items.compactMap { $0["summary"]?.string }.sorted() == ["A2", "B"])
            #expect(changes.items.first { $0["summary"] == "B" }?["status"] == "cancelled")
            let quiet = try await google.listAll(calendar, token: ada, query: "syncToken=\(try #require(changes.syncToken))")
            #expect(quiet.items.isEmpty, "nothing changed since the last token")

            await google.state.invalidateSyncTokens(calendarID: calendar)
            let stale = try await google.call(.GET, EmulatorHarness.events(calendar) + "?syncToken=\(changes.syncToken!)", token: ada)
            #expect(stale.status == 410 && stale.reason == "fullSyncRequired")
            #expect(try await google.call(.GET, EmulatorHarness.events(calendar) + "?syncToken=garbage", token: ada).status == 410)
            let mixed = try await google.call(.GET, EmulatorHarness.events(calendar) + "?syncToken=s1&timeMin=2026-12-01T00:00:00Z", token: ada)
            #expect(mixed.status == 400, "a sync token cannot be combined with timeMin")
        }
    }

    @Test("a token from a listing bounded by timeMin/timeMax lists later changes at any time, as Google does; the control API makes it stale")
    func syncTokenFromWindow() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let calendar = "team@group.calendar.google.com"
            try await google.state.addEvent(calendarID: calendar, event("Inside", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let window = "timeMin=2026-12-01T00:00:00Z&timeMax=2027-01-01T00:00:00Z&singleEvents=true"
            let full = try await google.listAll(calendar, token: ada, query: window)
            #expect(full.items.count == 1)
            let token = try #require(full.syncToken, "a bounded listing carries nextSyncToken too")
            try await google.state.addEvent(calendarID: calendar, event("Later", start: "2027-03-01T10:00:00Z", end: "2027-03-01T11:00:00Z"))
            let changes = try await google.listAll(calendar, token: ada, query: "singleEvents=true&syncToken=\(token)")
            #expect(changes.items.compactMap { $0["summary"]?.string } == ["Later"], "the client filters changes to its window itself")
            #expect(try await google.call(.GET, EmulatorHarness.events(calendar) + "?syncToken=\(token)&timeMax=2027-01-01T00:00:00Z", token: ada).status == 400)

            let invalidated = try await google.call(.POST, "/emulator/calendars/\(calendar)/invalidate-sync-tokens")
            #expect(invalidated.status == 204)
            let stale = try await google.call(.GET, EmulatorHarness.events(calendar) + "?syncToken=\(try #require(changes.syncToken))", token: ada)
            #expect(stale.status == 410 && stale.reason == "fullSyncRequired")
        }
    }
}
