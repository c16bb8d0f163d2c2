import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Ada's three calendars on the emulator (Work and Team in her work account, Family in her home account), linked
/// in Syncboard, with the built-in engine: the setting of the tests of jobs with several destinations and groups.
struct SeveralCalendars {
    static let work = BuiltinRunExecutorTests.work
    static let family = BuiltinRunExecutorTests.family
    static let team = "team-ada@group.calendar.google.com"
    static let googleIDs = [work, family, team]

    let app: Application
    let emulator: GoogleEmulatorServer
    let executor: BuiltinRunExecutor
    let user: User
    let accounts: [LinkedAccount]
    /// Work, Family, Team.
    let calendars: [LinkedCalendar]

    var state: EmulatorState { emulator.state }
    func id(_ googleID: String) -> UUID { calendars.first { $0.providerCalendarID == googleID }!.id! }

    static func with(on database: TestDatabase = .sqlite, _ body: (SeveralCalendars) async throws -> Void) async throws {
        try await LinkedAda.with(on: database, calendars: [.init(work, "Work", .work), .init(family, "Family", .home), .init(team, "Team", .work)]) { app, ada in
            try await body(SeveralCalendars(app: app, emulator: ada.google.server, executor: try ada.executor(app), user: ada.user,
                                            accounts: ada.accounts, calendars: ada.calendars))
        }
    }

    func createJob(_ spec: SyncJobSpec) async throws -> UUID {
        let job = SyncJob(userID: try user.requireID(), spec: spec)
        try await job.create(on: app.db)
        return try job.requireID()
    }

    func run(_ jobID: UUID, mode: JobRun.Mode = .sync) async throws -> (RunOutcome, [String]) {
        try await BuiltinRunExecutorTests.execute(jobID, with: executor, app: app, mode: mode)
    }

    @discardableResult
    func addEvent(_ calendarID: String, _ summary: String, inHours hours: Double) async throws -> String {
        let start = Date().addingTimeInterval(hours * 3_600).rounded
        let event = try await state.addEvent(calendarID: calendarID, [
            "summary": .string(summary), "start": ["dateTime": .string(start.formatted(.iso8601))],
            "end": ["dateTime": .string(start.addingTimeInterval(3_600).formatted(.iso8601))]])
        return event["id"]!.string!
    }

    /// The calendar's live events: id, title, and for a copy the CalendarSync EventID it carries.
    func events(_ calendarID: String) async -> [(id: String, title: String, copyOf: String?)] {
        await state.storedEvents(calendarID: calendarID).filter { $0["status"]?.string != "cancelled" }.map { event in
            (event["id"]?.string ?? "", event["summary"]?.string ?? "",
             event["extendedProperties"]?["private"]?["\(SyncMetadata.prefix)\(SyncMetadata.eventIDKey)"]?.string)
        }
    }

    /// The sorted titles of the calendar's live events.
    func titles(_ calendarID: String) async -> [String] { await events(calendarID).map(\.title).sorted() }

    /// Every direction's next run is a full reconciliation (the safety net is due).
    func makeFullDue() async throws {
        for state in try await SyncState.query(on: app.db).all() {
            state.lastFullAt = Date(timeIntervalSince1970: 0)
            try await state.save(on: app.db)
        }
    }
}

private extension Date {
    /// Whole minutes: Google's times in these tests need no seconds.
    var rounded: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 / 60).rounded() * 60) }
}

extension RunOutcome {
    /// A run's result in one short line ("succeeded incremental +0 ~0 -0"), so that a failed expectation on it
    /// names what happened first, before any log (CI's report keeps only the start of each failure line).
    var brief: String {
        var line = "\(status.rawValue) \(syncKind?.rawValue ?? "-") +\(created ?? 0) ~\(updated ?? 0) -\(deleted ?? 0)"
        if let errorSummary { line += " error: \(errorSummary)" }
        return line
    }
}
