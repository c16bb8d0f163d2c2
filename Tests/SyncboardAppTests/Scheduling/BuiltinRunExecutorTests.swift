import AsyncHTTPClient
import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// The built-in engine as the app runs it: tokens refreshed from the vault at the Google emulator, the job's
/// calendars, transformers and window, the outcome and log as the dashboard shows them.
@Suite("Built-in engine in the app")
struct BuiltinRunExecutorTests {
    static let work = "work@group.calendar.google.com"
    static let family = "family@group.calendar.google.com"

    struct Setup {
        let emulator: GoogleEmulatorServer
        let executor: BuiltinRunExecutor
        let jobID: UUID
        let destinationAccount: UUID
    }

    static func withSetup(_ body: (Application, Setup) async throws -> Void) async throws {
        try await LinkedAda.with(calendars: [.init(work, "Work", .work), .init(family, "Family", .home)]) { app, ada in
            let job = SyncJob(userID: try ada.user.requireID(), spec: SyncJobSpec(
                name: "Work → Family", sourceCalendarID: try ada.calendar(work).requireID(), destinationCalendarID: try ada.calendar(family).requireID(),
                transformers: [ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "PrefixTitle", parameters: ["Prefix": .string("[Work] ")])],
                filters: [ConfiguredStep(name: "DeclinedEvents")], cadence: .hourly, timeZone: "Europe/Berlin"))
            try await job.create(on: app.db)
            try await body(app, Setup(emulator: ada.google.server, executor: try ada.executor(app), jobID: try job.requireID(),
                                      destinationAccount: try ada.accounts[1].requireID()))
        }
    }

    /// A run's time limit in these tests: generous, because a group of six directions on a 2-core machine running
    /// every test at once can take over a minute; a test of the limit itself gives its own.
    static let testRunLimit: TimeInterval = 600

    /// Executes the job as a new run (each run has its own log).
    static func execute(_ setup: Setup, app: Application, mode: JobRun.Mode = .sync, timeout: TimeInterval = testRunLimit) async throws -> (RunOutcome, [String]) {
        try await execute(setup.jobID, with: setup.executor, app: app, mode: mode, timeout: timeout)
    }

    /// Executes a job as a new run with `executor` and returns its outcome and log. `recorded`: the outcome is
    /// recorded as the scheduler records it (`RunRecorder`: the job's state, incidents and notices; no retries), else
    /// the run is only ended.
    static func execute(_ jobID: UUID, with executor: any RunExecutor, app: Application, mode: JobRun.Mode = .sync,
                        timeout: TimeInterval = testRunLimit, recorded: Bool = false) async throws -> (RunOutcome, [String]) {
        let run = JobRun(jobID: jobID, trigger: .manual, mode: mode, status: .running, scheduledFor: nil, queuedAt: Date())
        run.startedAt = Date()
        run.workerID = "test-worker"
        try await run.create(on: app.db)
        let runID = try run.requireID()
        let log = RunLogWriter(runID: runID, db: app.db)
        let outcome = await executor.execute(
            RunContext(runID: runID, jobID: jobID, mode: mode, trigger: .manual, attempt: 1, timeout: timeout), log: log)
        let written = await log.finish()
        if recorded {
            var settings = SchedulerSettings()
            settings.maxAttempts = 1
            #expect(try await RunRecorder(db: app.db, workerID: "test-worker", settings: settings).finish(runID: runID, outcome: outcome, log: written))
        } else {
            run.status = outcome.status  // ends the run, as the recorder would, so the job may run again
            run.storedLegs = outcome.legs.map(JobRun.StoredLegs.init(legs:))
            try await run.save(on: app.db)
        }
        let lines = try await RunLogLine.query(on: app.db).filter(\.$run.$id == runID).sort(\.$seq).all(\.$text)
        return (outcome, lines)
    }

    static func addEvent(_ state: EmulatorState, _ summary: String, inDays days: Double, declined: Bool = false) async throws {
        let start = Date().addingTimeInterval(days * 86_400)
        var body: JSONValue = ["summary": .string(summary), "start": ["dateTime": .string(start.formatted(.iso8601))],
                               "end": ["dateTime": .string(start.addingTimeInterval(3_600).formatted(.iso8601))]]
        if declined { body["attendees"] = [["email": "ada@example.com", "responseStatus": "declined", "self": true]] }
        _ = try await state.addEvent(calendarID: work, body)
    }

    @Test("a run copies the source's events with the job's transformers and filters across two accounts; dry-run and clean do what they say")
    func success() async throws {
        try await Self.withSetup { app, setup in
            let state = setup.emulator.state
            try await Self.addEvent(state, "Planning", inDays: 1)
            try await Self.addEvent(state, "Review", inDays: 2)
            try await Self.addEvent(state, "Offsite", inDays: 3, declined: true)

            let (dry, dryLog) = try await Self.execute(setup, app: app, mode: .dryRun)
            #expect(dry.status == .succeeded && dry.engine == .builtin && dry.created == 2)
            #expect(dryLog.contains("dry run: nothing was written"))
            #expect(await state.storedEvents(calendarID: Self.family).isEmpty)

            let (outcome, lines) = try await Self.execute(setup, app: app)
            #expect(outcome == RunOutcome(status: .succeeded, engine: .builtin, created: 2, updated: 0, deleted: 0, syncKind: .full, syncReason: "no_state"),
                    "\(lines)")
            #expect(lines.contains("found 2 new, 0 changed, and 0 deleted events"))
            #expect(lines.contains { $0.hasPrefix("Syncing “Work” (\(Self.work)) → “Family” (\(Self.family)), events between") },
                    "the log names each calendar as a person sees it: \(lines)")
            let titles = await state.storedEvents(calendarID: Self.family).compactMap { $0["summary"]?.string }.sorted()
            #expect(titles == ["[Work] Planning", "[Work] Review"])
            #expect(!lines.joined().contains("ya29.") && !lines.joined().contains("1//"), "no token reaches the log")

            let (clean, _) = try await Self.execute(setup, app: app, mode: .clean)
            #expect(clean.status == .succeeded && clean.deleted == 2)
            #expect(await state.storedEvents(calendarID: Self.family).allSatisfy { $0["status"] == "cancelled" })
        }
    }

    @Test("each calendar is reached through its own provider: a calendar of a provider this process has not set up fails the run as configuration, naming the provider, and writes nothing")
    func calendarOfAProviderNotSetUp() async throws {
        try await Self.withSetup { app, setup in
            try await Self.addEvent(setup.emulator.state, "Planning", inDays: 1)
            let job = try #require(try await SyncJob.find(setup.jobID, on: app.db))
            let destination = try #require(try await LinkedCalendar.find(job.$destinationCalendar.id, on: app.db))
            destination.provider = .microsoft
            try await destination.save(on: app.db)
            let (outcome, lines) = try await Self.execute(setup, app: app)
            #expect(outcome.status == .failed && outcome.failureClass == .configuration, "\(lines)")
            #expect(outcome.errorSummary?.contains("Microsoft 365 is not set up") == true, "\(outcome.errorSummary ?? "")")
            #expect(await setup.emulator.state.storedEvents(calendarID: Self.family).isEmpty)
        }
    }

    @Test("a revoked grant ends the run as needs-reconnect for that account, with or without a stored access token")
    func revoked() async throws {
        try await Self.withSetup { app, setup in
            // A first run stores both accounts' access tokens; revoking the grant at Google kills them too.
            #expect(try await Self.execute(setup, app: app).0.status == .succeeded)
            await setup.emulator.state.revokeTokens(ofEmail: "ada.home@example.org")
            // An incremental run reaches the destination only to write: a new source event needs a write.
            try await Self.addEvent(setup.emulator.state, "Review", inDays: 2)
            let (afterStored, storedLog) = try await Self.execute(setup, app: app)
            #expect(afterStored.status == .needsReconnect && afterStored.reconnectAccountID == setup.destinationAccount, "\(storedLog)")
            #expect(storedLog.contains { $0.contains("refreshing it and trying again") })
        }
    }

    @Test("a revoked refresh token ends the run as needs-reconnect for that account, before any Calendar API call")
    func revokedBeforeAnyRun() async throws {
        try await Self.withSetup { app, setup in
            await setup.emulator.state.revokeTokens(ofEmail: "ada.home@example.org")
            await setup.emulator.state.clearRequestLog()
            let (outcome, lines) = try await Self.execute(setup, app: app)
            #expect(outcome.status == .needsReconnect && outcome.reconnectAccountID == setup.destinationAccount)
            #expect(lines.contains { $0.contains("ada.home@example.org") && $0.contains("reconnect") })
            #expect(await setup.emulator.state.requests(pathPrefix: "/calendar/v3/").isEmpty)
        }
    }

    @Test("a run that outlives its time limit is stopped as timed out, its Google calls abandoned")
    func timeout() async throws {
        try await Self.withSetup { app, setup in
            // Google takes 30 s to answer; the limit is 1 s. Stopping at the limit ends the run within seconds
            // even on a busy machine; waiting for Google's answer would take at least 30 s. The bound lies
            // between the two with a wide margin on both sides.
            await setup.emulator.state.setLatency(.seconds(30))
            let started = ContinuousClock.now
            let (outcome, lines) = try await Self.execute(setup, app: app, timeout: 1)
            let elapsed = ContinuousClock.now - started
            #expect(outcome.status == .timedOut && outcome.engine == .builtin)
            #expect(elapsed < .seconds(15), "stopped at the limit, not after Google answered (\(elapsed))")
            #expect(lines.last?.contains("longer than its limit of 1 seconds") == true, "the verdict ends the log: \(lines)")
            await setup.emulator.state.setLatency(.zero)
        }
    }

    @Test("losing write access to the destination fails the run with Google's reason as the first error")
    func readerOnly() async throws {
        try await Self.withSetup { app, setup in
            try await Self.addEvent(setup.emulator.state, "Planning", inDays: 1)
            try await setup.emulator.state.setRole(calendarID: Self.family, email: "ada.home@example.org", role: "reader")
            let (outcome, lines) = try await Self.execute(setup, app: app)
            #expect(outcome.status == .failed)
            let summary = try #require(outcome.errorSummary)
            #expect(summary.contains("could not create “[Work] Planning”") && summary.contains("requiredAccessLevel"), "\(summary)")
            #expect(lines.contains { $0.hasPrefix("ERROR could not create") })
            let failed = JobRun(jobID: setup.jobID, trigger: .manual, mode: .sync, status: .failed, scheduledFor: nil, queuedAt: Date())
            failed.failureClass = outcome.failureClass
            failed.errorSummary = outcome.errorSummary
            #expect(RunAdvice.advice(for: failed, jobID: setup.jobID)?.message.contains("Make changes to events") == true,
                    "the run page says how to give the account write access")
        }
    }
}
