import Foundation
import Recurrence

/// A small, believable world for demo mode: three people, their calendars (one shared read-only), and six weeks of
/// events around today (two weeks back, four ahead): meetings with attendees, a weekly stand-up, focus time,
/// all-day events, a declined meeting, places and video links. Like real calendars it is mostly recurring series
/// whose single occurrences change: a weekly one-to-one with one occurrence moved and retitled, a stand-up with one
/// occurrence cancelled, and a weekly call in New York time long enough to cross a daylight-saving change. Times
/// are relative to `now`, so the demo always has a past and a future.
public enum DemoWorld {
    public static let accounts = [
        EmulatorState.Account(subject: "104000000000000000001", email: "ada@example.com", name: "Ada Lovelace"),
        EmulatorState.Account(subject: "104000000000000000002", email: "grace@example.org", name: "Grace Hopper"),
        EmulatorState.Account(subject: "104000000000000000003", email: "linus@example.net", name: "Linus Pauling"),
    ]

    public static func seed(_ state: EmulatorState, client: EmulatorState.Client, now: Date = Date()) async throws {
        for account in accounts { await state.addAccount(account) }
        await state.addClient(client)
        let calendars: [EmulatorState.Calendar] = [
            .init(id: "ada@example.com", summary: "Ada", timeZone: "Europe/London", backgroundColor: "#4986e7", roles: ["ada@example.com": "owner"]),
            .init(id: "ada.work@group.calendar.example", summary: "Ada · Engine project", timeZone: "Europe/London", backgroundColor: "#f83a22",
                  roles: ["ada@example.com": "owner", "grace@example.org": "reader"]),
            .init(id: "grace@example.org", summary: "Grace", timeZone: "America/New_York", backgroundColor: "#16a765", roles: ["grace@example.org": "owner"]),
            .init(id: "grace.navy@group.calendar.example", summary: "Grace · Navy", timeZone: "America/New_York", backgroundColor: "#9a9cff",
                  roles: ["grace@example.org": "owner"]),
            .init(id: "family@group.calendar.example", summary: "Family", timeZone: "Europe/London", backgroundColor: "#ffad46",
                  roles: ["ada@example.com": "writer", "grace@example.org": "owner", "linus@example.net": "reader"]),
            .init(id: "linus@example.net", summary: "Linus", timeZone: "America/Los_Angeles", backgroundColor: "#b99aff", roles: ["linus@example.net": "owner"]),
            .init(id: "holidays@group.calendar.example", summary: "Public holidays (read-only)", timeZone: "UTC", backgroundColor: "#7bd148",
                  roles: ["ada@example.com": "reader", "grace@example.org": "reader", "linus@example.net": "reader"]),
        ]
        for calendar in calendars { await state.addCalendar(calendar) }

        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let today = utc.startOfDay(for: now)
        func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> String {
            EmulatorState.formatTime(utc.date(byAdding: .minute, value: day * 1440 + hour * 60 + minute, to: today)!)
        }
        func date(_ day: Int) -> String { String(at(day, 0).prefix(10)) }
        /// Google's id of the occurrence of `series` originally at `at(day, hour)` (`<id>_<yyyyMMdd'T'HHmmss'Z'>`).
        func occurrence(_ series: JSONValue, day: Int, hour: Int) -> String {
            let start = utc.date(byAdding: .minute, value: day * 1440 + hour * 60, to: today)!
            return series["id"]!.string! + "_" + OccurrenceStart.timed(start).description
        }
        /// The first day from `after` on that falls on one of `weekdays` (1 = Sunday … 7 = Saturday, UTC).
        func next(_ weekdays: Set<Int>, after: Int) -> Int {
            (after...(after + 6)).first { weekdays.contains(utc.component(.weekday, from: utc.date(byAdding: .day, value: $0, to: today)!)) }!
        }
        func meeting(_ title: String, day: Int, hour: Int, minutes: Int = 60, attendees: [String] = [], location: String? = nil,
                     meet: Bool = false, description: String? = nil, declinedBy: String? = nil) -> JSONValue {
            var event: JSONValue = ["summary": .string(title), "start": ["dateTime": .string(at(day, hour))],
                                    "end": ["dateTime": .string(at(day, hour, minutes))]]
            if !attendees.isEmpty {
                event["attendees"] = .array(attendees.map { email in
                    ["email": .string(email), "responseStatus": .string(email == declinedBy ? "declined" : "accepted")]
                })
            }
            if let location { event["location"] = .string(location) }
            if let description { event["description"] = .string(description) }
            if meet { event["hangoutLink"] = .string("https://meet.google.com/abc-defg-\(String(format: "%03d", title.utf8.reduce(0) { $0 + Int($1) } % 1000))") }
            event["reminders"] = ["useDefault": false, "overrides": [["method": "popup", "minutes": 10]]]
            return event
        }
        let engine = "ada.work@group.calendar.example"
        // The stand-up starts on the Monday, Wednesday or Friday on or after two weeks back, so that its first day
        // is one of its own (RFC 5545 counts DTSTART); one occurrence later this week or next is cancelled.
        let standUpStart = next([2, 4, 6], after: -14)
        let standUp = try await state.addEvent(calendarID: engine, ["summary": "Engine stand-up", "start": ["dateTime": .string(at(standUpStart, 9)), "timeZone": "Europe/London"],
                                                                    "end": ["dateTime": .string(at(standUpStart, 9, 15)), "timeZone": "Europe/London"],
                                                                    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=26"], "hangoutLink": "https://meet.google.com/ada-stand-up"])
        // Its 09:00 stays 09:00 UTC while London is on GMT; in British Summer Time the occurrence id would differ.
        let cancelledDay = next([2, 4, 6], after: 2)
        if TimeZone(identifier: "Europe/London")!.secondsFromGMT(for: utc.date(byAdding: .day, value: cancelledDay, to: today)!) == 0,
           TimeZone(identifier: "Europe/London")!.secondsFromGMT(for: utc.date(byAdding: .day, value: standUpStart, to: today)!) == 0 {
            try await state.removeEvent(calendarID: engine, eventID: occurrence(standUp, day: cancelledDay, hour: 9))
        }
        // A weekly one-to-one (in UTC, so its occurrence ids are plain): next week's is moved an hour later and retitled.
        let oneToOne = try await state.addEvent(calendarID: "ada@example.com", ["summary": "1:1 Ada / Grace",
                                                                                 "start": ["dateTime": .string(at(-12, 15)), "timeZone": "UTC"],
                                                                                 "end": ["dateTime": .string(at(-12, 15, 30)), "timeZone": "UTC"],
                                                                                 "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=12"],
                                                                                 "attendees": [["email": "ada@example.com", "responseStatus": "accepted"],
                                                                                               ["email": "grace@example.org", "responseStatus": "accepted"]]])
        try await state.changeEvent(calendarID: "ada@example.com", eventID: occurrence(oneToOne, day: 2, hour: 15),
                                    patch: ["summary": "1:1 Ada / Grace (moved: Grace travels)", "start": ["dateTime": .string(at(2, 16))],
                                            "end": ["dateTime": .string(at(2, 16, 30))]])
        // Forty weeks of a New York morning call always include a daylight-saving change (they are at most 34 weeks
        // apart), so the call is an hour earlier in UTC on one side of it than on the other.
        try await state.addEvent(calendarID: "grace@example.org", ["summary": "Transatlantic sync", "start": ["dateTime": .string("\(date(-14))T10:00:00-05:00"), "timeZone": "America/New_York"],
                                                                   "end": ["dateTime": .string("\(date(-14))T10:30:00-05:00"), "timeZone": "America/New_York"],
                                                                   "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=40"], "location": "Zoom"])
        for week in -2...3 {
            try await state.addEvent(calendarID: engine, meeting("Design review: the analytical engine", day: week * 7 + 1, hour: 13, minutes: 90,
                                                                 attendees: ["ada@example.com", "grace@example.org", "charles@example.com"],
                                                                 location: "Room Babbage", meet: true, description: "Agenda: the mill, the store, punched cards."))
            try await state.addEvent(calendarID: engine, ["summary": "Focus time", "eventType": "focusTime",
                                                          "start": ["dateTime": .string(at(week * 7 + 3, 8))], "end": ["dateTime": .string(at(week * 7 + 3, 11))]])
            try await state.addEvent(calendarID: engine, meeting("Vendor pitch", day: week * 7 + 2, hour: 16, attendees: ["ada@example.com", "sales@vendor.example"],
                                                                 declinedBy: "ada@example.com"))
        }
        try await state.addEvent(calendarID: engine, ["summary": "Release day", "start": ["date": .string(date(9))], "end": ["date": .string(date(10))]])
        try await state.addEvent(calendarID: "ada@example.com", meeting("Dentist", day: 4, hour: 8, minutes: 45, location: "12 Harley Street, London"))
        try await state.addEvent(calendarID: "ada@example.com", ["summary": "Poetry evening", "start": ["dateTime": .string(at(-3, 19))],
                                                                "end": ["dateTime": .string(at(-3, 21))], "location": "The British Library"])
        let navy = "grace.navy@group.calendar.example"
        for day in stride(from: -13, through: 27, by: 2) {
            try await state.addEvent(calendarID: navy, meeting(day % 4 == 1 ? "COBOL committee" : "Compiler office hours", day: day, hour: 14,
                                                               attendees: ["grace@example.org", "jean@example.org"], meet: day % 4 != 1))
        }
        try await state.addEvent(calendarID: navy, ["summary": "Conference: programming languages", "start": ["date": .string(date(15))], "end": ["date": .string(date(18))],
                                                    "location": "Philadelphia"])
        let family = "family@group.calendar.example"
        try await state.addEvent(calendarID: family, ["summary": "Sunday lunch", "start": ["dateTime": .string(at(-12, 12))], "end": ["dateTime": .string(at(-12, 14))],
                                                      "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=8"], "location": "Grandma's"])
        try await state.addEvent(calendarID: family, ["summary": "School holidays", "start": ["date": .string(date(20))], "end": ["date": .string(date(27))]])
        try await state.addEvent(calendarID: "linus@example.net", meeting("Lab meeting", day: 1, hour: 17, attendees: ["linus@example.net"], location: "Caltech, Gates lab"))
        try await state.addEvent(calendarID: "linus@example.net", meeting("Vitamin C seminar", day: 8, hour: 18, minutes: 120, location: "Pasadena"))
        try await state.addEvent(calendarID: "holidays@group.calendar.example", ["summary": "Holiday", "start": ["date": .string(date(6))], "end": ["date": .string(date(7))]])
    }
}
