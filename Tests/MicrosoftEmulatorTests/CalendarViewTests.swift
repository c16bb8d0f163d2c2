import Foundation
import Testing
@testable import MicrosoftEmulator

/// calendarView and instances of recurring series (api-reference/v1.0/api/user-list-calendarview.md,
/// event-list-instances.md; event.md for type, seriesMasterId, originalStart).
struct CalendarViewTests {
    /// A weekly Tuesday 10:00 London series of 6 from 2026-11-03, created through Graph.
    static func weeklySeries(_ h: MicrosoftHarness, token: String) async throws -> String {
        let created = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: meeting(
            "1:1", "2026-11-03T10:00:00", "2026-11-03T10:30:00", zone: "GMT Standard Time",
            extra: ["recurrence": ["pattern": ["type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"], "firstDayOfWeek": "sunday"],
                                   "range": ["type": "numbered", "startDate": "2026-11-03", "numberOfOccurrences": 6]]]))
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["type"]?.string == "seriesMaster")
        return created.json["id"]!.string!
    }

    static let window = query(["startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"])

    /// user-list-calendarview.md: "startDateTime … Required", "endDateTime … Required".
    @Test func windowIsRequired() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let answer = try await h.call(.GET, "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView", token: token)
            #expect(answer.status == 400)
            #expect(answer.errorCode == "ErrorInvalidParameter")
        }
    }

    /// user-list-calendarview.md: occurrences and exceptions in the window, never the master; a moved occurrence
    /// is an exception where it now is, a deleted one is gone; event.md's seriesMasterId and originalStart.
    @Test func occurrencesAndExceptionsAreExpanded() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let master = try await Self.weeklySeries(h, token: token)
            var view = try await h.call(.GET, "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView" + Self.window, token: token,
                                        headers: [("Prefer", "odata.maxpagesize=50")]).value
            #expect(view.count == 6)
            #expect(view.allSatisfy { $0["type"]?.string == "occurrence" && $0["seriesMasterId"]?.string == master })
            #expect(view.first?["start"]?["dateTime"]?.string == "2026-11-03T10:00:00.0000000")  // GMT in November
            #expect(view.first?["originalStart"]?.string == "2026-11-03T10:00:00Z")

            // Move the second occurrence to Thursday; delete the third.
            let second = view[1]["id"]!.string!, third = view[2]["id"]!.string!
            let moved = try await h.call(.PATCH, "/v1.0/me/events/\(second)", token: token,
                                         body: ["start": at("2026-11-12T15:00:00", "GMT Standard Time"), "end": at("2026-11-12T15:30:00", "GMT Standard Time")])
            #expect(moved.json["type"]?.string == "exception")
            #expect(try await h.call(.DELETE, "/v1.0/me/events/\(third)", token: token).status == 204)

            view = try await h.call(.GET, "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView" + Self.window, token: token,
                                    headers: [("Prefer", "odata.maxpagesize=50")]).value
            #expect(view.count == 5)
            let exception = try #require(view.first { $0["type"]?.string == "exception" })
            #expect(exception["id"]?.string == second)
            #expect(exception["start"]?["dateTime"]?.string == "2026-11-12T15:00:00.0000000")
            #expect(exception["originalStart"]?.string == "2026-11-10T10:00:00Z")
            #expect(!view.contains { $0["id"]?.string == third })
            #expect(try await h.call(.GET, "/v1.0/me/events/\(third)", token: token).errorCode == "ErrorItemNotFound")

            // event-list-instances.md: the same occurrences and exceptions for the series alone.
            let instances = try await h.call(.GET, "/v1.0/me/events/\(master)/instances" + Self.window, token: token,
                                             headers: [("Prefer", "odata.maxpagesize=50")]).value
            #expect(instances.compactMap { $0["id"]?.string } == view.compactMap { $0["id"]?.string })
        }
    }

    /// user-list-calendarview.md, "Prefer: outlook.timezone": times in the named zone, echoed in timeZone.
    @Test func preferOutlookTimezone() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            _ = try await Self.weeklySeries(h, token: token)
            let answer = try await h.call(.GET, "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView" + Self.window, token: token,
                                          headers: [("Prefer", "outlook.timezone=\"Pacific Standard Time\"")])
            #expect(answer.value.first?["start"]?["dateTime"]?.string == "2026-11-03T02:00:00.0000000")
            #expect(answer.value.first?["start"]?["timeZone"]?.string == "Pacific Standard Time")
            #expect(answer.headers.first(name: "Preference-Applied")?.contains("outlook.timezone") == true)
        }
    }

    /// paging.md: a page of at most the page size with @odata.nextLink to the rest (Graph's default for events is 10).
    @Test func calendarViewPagesWithNextLink() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            for day in 1...12 {
                let date = String(format: "2026-12-%02d", day)
                try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: meeting("Day \(day)", "\(date)T09:00:00", "\(date)T10:00:00"))
            }
            let first = try await h.call(.GET, "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView" + Self.window, token: token)
            #expect(first.value.count == 10)
            let next = try #require(first.json["@odata.nextLink"]?.string)
            let second = try await h.call(.GET, next, token: token)
            #expect(second.value.compactMap { $0["subject"]?.string } == ["Day 11", "Day 12"])
            #expect(second.json["@odata.nextLink"] == nil)
        }
    }
}
