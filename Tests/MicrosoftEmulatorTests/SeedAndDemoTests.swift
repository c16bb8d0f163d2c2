import Foundation
import Testing
@testable import MicrosoftEmulator

/// The seed file and the demo world (docs/microsoft-emulator.md), read back through Graph.
struct SeedAndDemoTests {
    @Test func seedFileLoadsAccountsCalendarsAndSeries() async throws {
        let seed = """
        {"accounts": [{"oid": "o-1", "tenantID": "t-1", "email": "sam@fabrikam.example", "name": "Sam"}],
         "clients": [{"clientID": "c", "clientSecret": "s", "redirectURIs": ["http://127.0.0.1:8080/cb"]}],
         "calendars": [{"id": "cal-1", "name": "Calendar", "owner": "sam@fabrikam.example", "isDefaultCalendar": true}],
         "events": {"cal-1": [{"subject": "Gym", "start": {"dateTime": "2026-12-01T07:00:00", "timeZone": "UTC"},
                               "end": {"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"},
                               "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 1},
                                              "range": {"type": "endDate", "startDate": "2026-12-01", "endDate": "2027-02-01"}}}]}}
        """
        let state = MicrosoftEmulatorState()
        try await MicrosoftSeedFile.load(Data(seed.utf8)).apply(to: state)
        let server = try await MicrosoftEmulatorServer.start(state: state)
        let token = await state.issueTokens(oid: "o-1", clientID: "c", scope: "Calendars.Read").access
        let view = await state.calendarView(calendarID: "cal-1", from: Date(timeIntervalSince1970: 1_780_000_000), to: Date(timeIntervalSince1970: 1_900_000_000))
        #expect(view.map { GraphTime.offset($0.start) } == ["2026-12-01T07:00:00Z", "2027-01-01T07:00:00Z", "2027-02-01T07:00:00Z"])
        #expect(token.hasPrefix("EwA"))
        // A seed event Graph would refuse stops the load with the reason.
        let bad = #"{"calendars": [{"id": "c2", "name": "C", "owner": "sam@fabrikam.example"}], "events": {"c2": [{"subject": "No times"}]}}"#
        await #expect(throws: MicrosoftSeedFile.SeedError.self) { try await MicrosoftSeedFile.load(Data(bad.utf8)).apply(to: state) }
        try await server.shutdown()
    }

    /// The demo's Outlook work calendar: a weekly one-to-one with one occurrence moved, a stand-up with one cancelled.
    @Test func demoWorldHasAMovedOneToOneAndACancelledStandUp() async throws {
        let state = MicrosoftEmulatorState()
        let now = Date()
        try await OutlookDemoWorld.seed(state, client: .init(clientID: "demo", clientSecret: "s", redirectURIs: []), now: now)
        let view = await state.calendarView(calendarID: "AAMkAGdemoWork", from: now.addingTimeInterval(-30 * 86_400), to: now.addingTimeInterval(90 * 86_400))
        let oneToOnes = view.filter { $0.fields["subject"]?.string == "1:1 Ada / Charles" }
        #expect(oneToOnes.count == 12)
        #expect(oneToOnes.filter { $0.kind == .exception }.count == 1)
        let standUps = view.filter { $0.fields["subject"]?.string == "Engine stand-up" }
        // 8 weeks of weekdays (56 days from a Monday, end date inclusive), one cancelled.
        #expect(standUps.count == 8 * 5 - 1)
        let stored = await state.storedEvents(calendarID: "AAMkAGdemoWork")
        #expect(stored.contains { $0["subject"]?.string == "Engine stand-up" && $0["cancelledOccurrences"]?.array?.count == 1 })
    }
}
