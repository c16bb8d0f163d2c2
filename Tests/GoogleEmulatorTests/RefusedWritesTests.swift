import Foundation
import NIOHTTP1
import Testing
@testable import GoogleEmulator

/// Writes and queries Google refuses, answered in Google's envelope ({"error": {"errors": [{"domain", "reason",
/// "message"}], "code", "message"}}, "Handle API errors"). The rules come from the Events resource reference; where
/// Google documents a rule but not the reason string it answers with, the test says so.
@Suite("Emulator: writes and queries Google refuses")
struct RefusedWritesTests {
    static let calendar = "team@group.calendar.google.com"
    let events = EmulatorHarness.events(Self.calendar)

    func refused(_ answer: EmulatorHarness.Answer, _ reason: String) -> Bool {
        answer.status == 400 && answer.reason == reason && answer.json["error"]?["code"] == 400
            && answer.json["error"]?["message"]?.string?.isEmpty == false && answer.json["error"]?["errors"]?[0]?["domain"] != nil
    }

    @Test("Events resource start/end: a date start with a dateTime end is refused (reason undocumented: invalid)")
    func mixedKinds() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let mixed = try await google.call(.POST, events, token: ada, body: ["summary": "x", "start": ["date": "2026-12-01"], "end": ["dateTime": "2026-12-01T10:00:00Z"]])
            #expect(refused(mixed, "invalid"))
            #expect(await google.state.storedEvents(calendarID: Self.calendar).isEmpty, "nothing was written")
        }
    }

    @Test("Handle API errors, timeRangeEmpty: an inverted range, or an all-day event ending on its start date, is refused; a timed event may last no time")
    func emptyRanges() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let inverted = try await google.call(.POST, events, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T09:00:00Z"))
            #expect(refused(inverted, "timeRangeEmpty"))
            let allDay = try await google.call(.POST, events, token: ada, body: ["summary": "x", "start": ["date": "2026-12-01"], "end": ["date": "2026-12-01"]])
            #expect(refused(allDay, "timeRangeEmpty"), "end.date is exclusive")
            let zero = try await google.call(.POST, events, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T10:00:00Z"))
            #expect(zero.status == 200)
            let id = try #require(zero.json["id"]?.string)
            let patched = try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["end": ["dateTime": "2026-12-01T08:00:00Z"]])
            #expect(refused(patched, "timeRangeEmpty"), "a patch is checked as the event it makes")
        }
    }

    @Test("Events resource start.timeZone: 'For recurring events this field is required' — a timed series without it is refused; the control API fills the calendar's")
    func recurringWithoutZone() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            var body = event("Daily", start: "2026-12-01T10:00:00Z", end: "2026-12-01T10:15:00Z")
            body["recurrence"] = ["RRULE:FREQ=DAILY;COUNT=2"]
            #expect(refused(try await google.call(.POST, events, token: ada, body: body), "required"))
            let allDay: JSONValue = ["summary": "Days", "start": ["date": "2026-12-01"], "end": ["date": "2026-12-02"], "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"]]
            #expect(try await google.call(.POST, events, token: ada, body: allDay).status == 200, "an all-day series has no time to place")
            let badRule = try await google.call(.POST, events, token: ada, body: body.merging(["start": ["timeZone": "UTC"], "recurrence": ["RRULE:FREQ=SOMETIMES"]]))
            #expect(refused(badRule, "invalid"))
            let seeded = try await google.state.addEvent(calendarID: "ada@example.com", body)
            #expect(seeded["start"]?["timeZone"] == "Europe/Berlin")
        }
    }

    func reminding(_ reminders: JSONValue) -> JSONValue {
        event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z", extra: ["reminders": reminders])
    }

    @Test("Events resource reminders.overrides: at most 5, minutes 0–40320, not with useDefault (cannotUseDefaultRemindersAndSpecifyOverride)")
    func reminders() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let five: [JSONValue] = (1...5).map { ["method": "popup", "minutes": .number(Double($0))] }
            let fiveAllowed = try await google.call(.POST, events, token: ada, body: reminding(["useDefault": false, "overrides": .array(five)]))
            #expect(fiveAllowed.status == 200)
            #expect(refused(try await google.call(.POST, events, token: ada, body: reminding(["useDefault": false, "overrides": .array(five + [["method": "email", "minutes": 60]])])), "invalid"))
            #expect(refused(try await google.call(.POST, events, token: ada, body: reminding(["useDefault": false, "overrides": [["method": "popup", "minutes": 40321]]])), "invalid"))
            #expect(refused(try await google.call(.POST, events, token: ada, body: reminding(["useDefault": false, "overrides": [["method": "popup", "minutes": -1]]])), "invalid"))
            #expect(try await google.call(.POST, events, token: ada, body: reminding(["useDefault": false, "overrides": [["method": "popup", "minutes": 40320]]])).status == 200)
            #expect(refused(try await google.call(.POST, events, token: ada, body: reminding(["useDefault": true, "overrides": [["method": "popup", "minutes": 5]]])),
                            "cannotUseDefaultRemindersAndSpecifyOverride"))
        }
    }

    @Test("Events resource eventType: it cannot be changed after the event is created (reason undocumented: invalid)")
    func eventTypeChange() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let created = try await google.call(.POST, events, token: ada, body: event("x", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let id = try #require(created.json["id"]?.string)
            #expect(refused(try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["eventType": "focusTime"]), "invalid"))
            #expect(try await google.call(.GET, events + "/\(id)", token: ada).json["eventType"] == "default")
            #expect(try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["eventType": "default", "summary": "y"]).status == 200)
        }
    }

    @Test("events.list syncToken: iCalUID, orderBy, privateExtendedProperty, q, sharedExtendedProperty, timeMin, timeMax and updatedMin cannot be combined with it")
    func syncTokenParameters() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let token = try #require(try await google.listAll(Self.calendar, token: ada).syncToken)
            for parameter in ["iCalUID=abc%40google.com", "orderBy=updated", "privateExtendedProperty=a%3Db", "q=plan", "sharedExtendedProperty=a%3Db",
                              "timeMin=2026-12-01T00:00:00Z", "timeMax=2026-12-01T00:00:00Z", "updatedMin=2026-12-01T00:00:00Z"] {
                let answer = try await google.call(.GET, events + "?syncToken=\(token)&\(parameter)", token: ada)
                #expect(refused(answer, "invalid"), "\(parameter)")
            }
            // "All other query parameters should be the same as for the initial synchronization": allowed.
            #expect(try await google.call(.GET, events + "?syncToken=\(token)&singleEvents=true&showDeleted=true&eventTypes=default&timeZone=UTC&maxResults=10", token: ada).status == 200)
        }
    }
}
