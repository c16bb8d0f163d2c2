import Foundation
import NIOHTTP1
import Testing
@testable import GoogleEmulator

/// events.list and calendarList.list parameters, events.move and events.import, checked against the Calendar API v3
/// reference (the discovery document's methods and parameters) and the "Synchronize resources efficiently" guide.
@Suite("Emulator: listing parameters, move and import")
struct ListingContractTests {
    static let calendar = "team@group.calendar.google.com"
    let events = EmulatorHarness.events(Self.calendar)

    @Test("events.list timeZone: 'Time zone used in the response' — dateTimes carry that zone's offset")
    func timeZoneParameter() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            _ = try await google.call(.POST, events, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let tokyo = try await google.call(.GET, events + "?timeZone=Asia/Tokyo", token: ada)
            #expect(tokyo.items.first?["start"]?["dateTime"] == "2026-12-01T19:00:00+09:00" && tokyo.json["timeZone"] == "Asia/Tokyo")
            let utc = try await google.call(.GET, events + "?timeZone=UTC", token: ada)
            #expect(utc.items.first?["end"]?["dateTime"] == "2026-12-01T11:00:00Z")
            #expect(try await google.call(.GET, events + "?timeZone=Mars/Olympus", token: ada).status == 400)
        }
    }

    @Test("events.list pages: a later page comes from the same answer while nothing changed, and from a new one after a change")
    func pagesAfterAChange() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            for (title, day) in [("A", 1), ("B", 2), ("C", 3)] {
                _ = try await google.call(.POST, events, token: ada, body: event(title, start: "2026-12-0\(day)T10:00:00Z", end: "2026-12-0\(day)T11:00:00Z"))
            }
            let query = "?maxResults=1&singleEvents=true&orderBy=startTime"
            let first = try await google.call(.GET, events + query, token: ada)
            let next = try #require(first.json["nextPageToken"]?.string)
            #expect(try await google.call(.GET, events + query + "&pageToken=\(next)", token: ada).items.map { $0["summary"]?.string } == ["B"])
            // B is retitled: the remembered answer is not used again.
            let b = try #require(try await google.listAll(Self.calendar, token: ada).items.first { $0["summary"] == "B" }?["id"]?.string)
            _ = try await google.call(.PATCH, events + "/\(b)", token: ada, body: ["summary": "B2"])
            #expect(try await google.call(.GET, events + query + "&pageToken=\(next)", token: ada).items.map { $0["summary"]?.string } == ["B2"])
        }
    }

    @Test("events.list iCalUID: only the event with that iCalendar id (and, with singleEvents, its instances)")
    func iCalUIDFilter() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let a = try await google.call(.POST, events, token: ada, body: event("A", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            _ = try await google.call(.POST, events, token: ada, body: event("B", start: "2026-12-02T10:00:00Z", end: "2026-12-02T11:00:00Z"))
            let uid = try #require(a.json["iCalUID"]?.string)
            let found = try await google.call(.GET, events + "?iCalUID=\(uid.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: ada)
            #expect(found.items.map { $0["summary"]?.string } == ["A"])
        }
    }

    @Test("events.list q: matches summary, description, location, attendees' and organizer's names and emails")
    func freeText() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            _ = try await google.call(.POST, events, token: ada, body: event("Review", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z",
                                                                          extra: ["attendees": [["email": "carol@example.com", "displayName": "Carol Danvers"]]]))
            _ = try await google.call(.POST, events, token: ada, body: event("Lunch", start: "2026-12-02T10:00:00Z", end: "2026-12-02T11:00:00Z"))
            for q in ["danvers", "carol%40example.com", "review"] {
                #expect(try await google.call(.GET, events + "?q=\(q)", token: ada).items.map { $0["summary"]?.string } == ["Review"], "\(q)")
            }
            #expect(try await google.call(.GET, events + "?q=nobody", token: ada).items.isEmpty)
        }
    }

    @Test("events.move: POST …/events/{eventId}/move?destination= moves it (same id); the source reports it cancelled; destination is required")
    func move() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let created = try await google.call(.POST, events, token: ada, body: event("Moving", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let id = try #require(created.json["id"]?.string)
            let token = try #require(try await google.listAll(Self.calendar, token: ada).syncToken)
            let moved = try await google.call(.POST, events + "/\(id)/move?destination=ada%40example.com", token: ada)
            #expect(moved.status == 200 && moved.json["id"]?.string == id && moved.json["summary"] == "Moving")
            #expect(try await google.call(.GET, EmulatorHarness.events("ada@example.com") + "/\(id)", token: ada).json["status"] == "confirmed")
            let changes = try await google.listAll(Self.calendar, token: ada, query: "syncToken=\(token)")
            #expect(changes.items.map { $0["status"]?.string } == ["cancelled"])
            #expect(try await google.call(.POST, events + "/\(id)/move?destination=ada%40example.com", token: ada).status == 404, "already moved away")
            let back = try await google.call(.POST, EmulatorHarness.events("ada@example.com") + "/\(id)/move?destination=team%40group.calendar.google.com", token: ada)
            #expect(back.status == 200 && back.json["status"] == "confirmed", "moved back, it takes the place of the cancelled copy the source kept")
            let bob = await google.token("bob@example.org")
            let other = try await google.call(.POST, events, token: bob, body: event("Bob's", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let noDestination = try await google.call(.POST, events + "/\(try #require(other.json["id"]?.string))/move", token: bob)
            #expect(noDestination.status == 400 && noDestination.reason == "required")
            let readOnly = try await google.call(.POST, events + "/\(try #require(other.json["id"]?.string))/move?destination=ada%40example.com", token: bob)
            #expect(readOnly.status == 403 && readOnly.reason == "requiredAccessLevel", "bob only reads Ada's calendar")
        }
    }

    @Test("events.import: iCalUID is required; importing the same iCalUID again updates the copy instead of adding one")
    func importByICalUID() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let path = events + "/import"
            let missing = try await google.call(.POST, path, token: ada, body: event("Imported", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            #expect(missing.status == 400 && missing.reason == "required")
            let body = event("Imported", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z", extra: ["iCalUID": "abc-123@example.com"])
            let first = try await google.call(.POST, path, token: ada, body: body)
            #expect(first.status == 200 && first.json["iCalUID"] == "abc-123@example.com")
            let again = try await google.call(.POST, path, token: ada, body: body.merging(["summary": "Imported v2"]))
            #expect(again.json["id"] == first.json["id"] && again.json["summary"] == "Imported v2")
            #expect(try await google.listAll(Self.calendar, token: ada).items.count == 1)
        }
    }

    @Test("calendarList.list: nextSyncToken on the last page; with it, only changed entries and lost calendars as deleted; a bad token is 410")
    func calendarListSync() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let full = try await google.call(.GET, "/calendar/v3/users/me/calendarList", token: ada)
            #expect(full.items.count == 2 && full.items.allSatisfy { $0["etag"]?.string?.hasPrefix("\"") == true })
            let token = try #require(full.json["nextSyncToken"]?.string)
            #expect(try await google.call(.GET, "/calendar/v3/users/me/calendarList?syncToken=\(token)", token: ada).items.isEmpty)
            try await google.state.setRole(calendarID: "bob@example.org", email: "ada@example.com", role: "reader")
            try await google.state.setRole(calendarID: Self.calendar, email: "ada@example.com", role: nil)
            let changes = try await google.call(.GET, "/calendar/v3/users/me/calendarList?syncToken=\(token)", token: ada)
            #expect(changes.items.map { $0["id"]?.string } == ["bob@example.org", Self.calendar])
            #expect(changes.items[1]["deleted"] == true && changes.items[0]["accessRole"] == "reader")
            let stale = try await google.call(.GET, "/calendar/v3/users/me/calendarList?syncToken=garbage", token: ada)
            #expect(stale.status == 410 && stale.reason == "fullSyncRequired")
        }
    }
}
