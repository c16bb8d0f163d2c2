import Foundation

extension MicrosoftEmulatorState {
    /// The demo's work tenant (Contoso, Microsoft's example company).
    public static let demoTenant = "72f988bf-0000-4000-8000-00000000c0de"
}

/// The demo's Outlook side: Ada's work mailbox at Contoso with a work calendar (a weekly one-to-one with one
/// occurrence moved, a weekday stand-up with one occurrence cancelled, a few single meetings) and a personal
/// Outlook.com account, so linking offers a work and a personal account.
public enum OutlookDemoWorld {
    public static let accounts = [
        MicrosoftEmulatorState.Account(oid: "00000000-0000-0000-0000-00000000a0a0", tenantID: MicrosoftEmulatorState.demoTenant,
                                       email: "ada@contoso.example", name: "Ada Lovelace"),
        MicrosoftEmulatorState.Account(oid: "00000000-0000-0000-0000-00000000b0b0", tenantID: "9188040d-6c67-4c5b-b112-36a304b66dad",
                                       email: "grace.hopper@outlook.example", name: "Grace Hopper"),
    ]

    public static func seed(_ state: MicrosoftEmulatorState, client: MicrosoftEmulatorState.Client, now: Date = Date()) async throws {
        for account in accounts { await state.addAccount(account) }
        await state.addClient(client)
        await state.addCalendar(.init(id: "AAMkAGdemoWork", name: "Calendar", owner: "ada@contoso.example", hexColor: "#0078d4", isDefaultCalendar: true))
        await state.addCalendar(.init(id: "AAMkAGdemoTeam", name: "Engine team", owner: "ada@contoso.example", hexColor: "#e3008c"))
        await state.addCalendar(.init(id: "AAMkAGdemoGrace", name: "Calendar", owner: "grace.hopper@outlook.example", isDefaultCalendar: true))

        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let today = utc.startOfDay(for: now)
        // Series start two weeks back on a Monday, so the demo window always holds past and future occurrences.
        let weekday = utc.component(.weekday, from: today)  // 1 = Sunday
        let monday = utc.date(byAdding: .day, value: -((weekday + 5) % 7) - 14, to: today)!
        func day(_ offset: Int) -> String {
            let date = utc.date(byAdding: .day, value: offset, to: monday)!
            return date.formatted(.iso8601.year().month().day())
        }
        func local(_ offset: Int, _ time: String) -> JSON { ["dateTime": .string("\(day(offset))T\(time):00.0000000"), "timeZone": "GMT Standard Time"] }

        let work = "AAMkAGdemoWork"
        let oneToOne = try await state.controlCreate(calendarID: work, [
            "subject": "1:1 Ada / Charles", "start": local(1, "10:00"), "end": local(1, "10:30"),
            "body": ["contentType": "text", "content": "Weekly one-to-one."], "location": ["displayName": "Teams"],
            "recurrence": ["pattern": ["type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"], "firstDayOfWeek": "monday"],
                           "range": ["type": "numbered", "startDate": .string(day(1)), "numberOfOccurrences": 12]],
        ])
        let standUp = try await state.controlCreate(calendarID: work, [
            "subject": "Engine stand-up", "start": local(0, "09:15"), "end": local(0, "09:30"),
            "recurrence": ["pattern": ["type": "weekly", "interval": 1, "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                                       "firstDayOfWeek": "monday"],
                           "range": ["type": "endDate", "startDate": .string(day(0)), "endDate": .string(day(55))]],
        ])
        // The third week's one-to-one moves to Thursday afternoon; the third Wednesday's stand-up is cancelled.
        let masterID = oneToOne["id"]!.string!, standUpID = standUp["id"]!.string!
        let original = GraphTime.instant(local(15, "10:00"))!
        _ = try await state.controlUpdate(eventID: MicrosoftEmulatorState.occurrenceID(master: masterID, originalStart: original),
                                          ["start": local(17, "15:00"), "end": local(17, "15:30")])
        try await state.controlDelete(eventID: MicrosoftEmulatorState.occurrenceID(master: standUpID, originalStart: GraphTime.instant(local(16, "09:15"))!))
        _ = try await state.controlCreate(calendarID: work, ["subject": "Quarterly planning", "start": local(16, "13:00"), "end": local(16, "15:00"),
                                                              "location": ["displayName": "Babbage room"], "showAs": "busy"])
        _ = try await state.controlCreate(calendarID: work, ["subject": "Company offsite", "isAllDay": true,
                                                              "start": ["dateTime": .string("\(day(24))T00:00:00.0000000"), "timeZone": "UTC"],
                                                              "end": ["dateTime": .string("\(day(26))T00:00:00.0000000"), "timeZone": "UTC"]])
        _ = try await state.controlCreate(calendarID: "AAMkAGdemoTeam", ["subject": "Engine design review", "start": local(18, "14:00"), "end": local(18, "15:30")])
        _ = try await state.controlCreate(calendarID: "AAMkAGdemoGrace", ["subject": "Navy reunion", "start": local(19, "18:00"), "end": local(19, "21:00")])
    }
}
