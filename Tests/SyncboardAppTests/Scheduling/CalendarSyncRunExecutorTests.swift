import Fluent
import Foundation
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// The CalendarSync CLI engine against a stand-in executable (Fixtures/calendarsync-standin) that checks how it
/// was run — flags, scrubbed environment, file modes, YAML types, the age-encrypted auth storage — and then acts
/// like CalendarSync: success with counts, failure, a login prompt that hangs, a hang past the timeout, a flood.
/// The runs use the bubblewrap sandbox as SYNCBOARD_SANDBOX=auto does (CalendarSyncSandboxTests shows what it hides).
@Suite("CalendarSync CLI engine")
struct CalendarSyncRunExecutorTests {
    static let standin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/calendarsync-standin").path

    struct Setup {
        let executor: CalendarSyncRunExecutor
        let jobID: UUID
        let sourceAccount: UUID
        let destinationAccount: UUID
        let runID: UUID
        let runDirectory: URL
    }

    static func setup(_ app: Application, sink: String, refresh: String = "refresh-ok", sandbox: SandboxSettings = TestSandbox.settings(),
                      runDirectory: URL? = nil) async throws -> Setup {
        let google = CalendarDiscoveryTests.FakeGoogle()
        var configuration = app.syncboard.configuration
        configuration.google.clientID = "client.apps.example"
        configuration.google.clientSecret = "client-secret-value"
        configuration.runDirectory = try runDirectory ?? TestApp.temporaryDirectory()
        configuration.sandbox = sandbox
        let user = try await Fixtures.user(app.db)
        let a = try await Fixtures.account(app.db, user: user, subject: "src-\(UUID())", email: "me@work.example")
        let b = try await Fixtures.account(app.db, user: user, subject: "dst-\(UUID())", email: "me@home.example")
        for account in [a, b] {
            account.refreshTokenCiphertext = try app.syncboard.vault.seal(refresh, context: account.vaultContext("refresh_token"))
            try await account.save(on: app.db)
        }
        let source = try await Fixtures.calendar(app.db, account: a, googleID: "me@work.example")
        let destination = try await Fixtures.calendar(app.db, account: b, googleID: sink)
        let job = SyncJob(userID: try user.requireID(), spec: SyncJobSpec(
            name: "standin", sourceCalendarID: try source.requireID(), destinationCalendarID: try destination.requireID(),
            transformers: [ConfiguredStep(name: "KeepTitle")], filters: [ConfiguredStep(name: "TimeFrame", parameters: ["HourStart": .int(8), "HourEnd": .int(18)])],
            cadence: .hourly, timeZone: "Europe/Berlin"))
        try await job.create(on: app.db)
        let run = JobRun(jobID: try job.requireID(), trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
        try await run.create(on: app.db)
        let executor = CalendarSyncRunExecutor(db: app.db, configuration: configuration, vault: app.syncboard.vault,
                                               google: google.services, binary: Self.standin, ageWorkFactor: 10)
        return Setup(executor: executor, jobID: try job.requireID(), sourceAccount: try a.requireID(), destinationAccount: try b.requireID(),
                     runID: try run.requireID(), runDirectory: configuration.runDirectory)
    }

    /// The same job run again under other sandbox settings (the first run is marked finished: one active run per job).
    static func again(_ setup: Setup, app: Application, sandbox: SandboxSettings) async throws -> Setup {
        try await JobRun.query(on: app.db).filter(\.$id == setup.runID).set(\.$status, to: .succeeded).update()
        let run = JobRun(jobID: setup.jobID, trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
        try await run.create(on: app.db)
        var configuration = setup.executor.configuration
        configuration.sandbox = sandbox
        let executor = CalendarSyncRunExecutor(db: app.db, configuration: configuration, vault: setup.executor.vault,
                                               google: setup.executor.google, binary: setup.executor.binary, ageWorkFactor: 10)
        return Setup(executor: executor, jobID: setup.jobID, sourceAccount: setup.sourceAccount, destinationAccount: setup.destinationAccount,
                     runID: try run.requireID(), runDirectory: setup.runDirectory)
    }

    static func execute(_ setup: Setup, app: Application, mode: JobRun.Mode = .sync, timeout: TimeInterval = 60) async throws -> (RunOutcome, [String]) {
        let log = RunLogWriter(runID: setup.runID, db: app.db)
        let outcome = await setup.executor.execute(
            RunContext(runID: setup.runID, jobID: setup.jobID, mode: mode, trigger: .manual, attempt: 1, timeout: timeout), log: log)
        _ = await log.finish()
        let lines = try await RunLogLine.query(on: app.db).filter(\.$run.$id == setup.runID).sort(\.$seq).all(\.$text)
        return (outcome, lines)
    }

    @Test("success: the stand-in's checks pass, counts are parsed, the workspace is removed, no secret is logged")
    func success() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await Self.setup(app, sink: "success-\(UUID())@group.calendar.google.com")
            let (outcome, lines) = try await Self.execute(setup, app: app, mode: .dryRun)
            #expect(outcome.status == .succeeded, "\(lines)")
            #expect(outcome.created == 2 && outcome.updated == 1 && outcome.deleted == 0)
            #expect(lines.contains("standin: checks passed (dry-run)"))
            #expect(lines.contains { $0.contains("found 2 new, 1 changed") })
            #expect(try FileManager.default.contentsOfDirectory(atPath: setup.runDirectory.path).isEmpty, "the workspace is gone")
            for secret in ["client-secret-value", "refresh-ok", "access-new"] {
                #expect(!lines.joined().contains(secret))
            }
        }
    }

    @Test("a job with a calendar of another provider is refused before any token is written out: the CLI gets Google calendars only")
    func otherProvider() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await Self.setup(app, sink: "success-\(UUID())@group.calendar.google.com")
            let job = try #require(try await SyncJob.find(setup.jobID, on: app.db))
            let destination = try #require(try await LinkedCalendar.find(job.spec.destinationCalendarID, on: app.db))
            destination.provider = .microsoft
            try await destination.save(on: app.db)
            let (outcome, lines) = try await Self.execute(setup, app: app)
            #expect(outcome.status == .failed && outcome.failureClass == .configuration && outcome.exitCode == nil)
            #expect(outcome.errorSummary?.contains("This job has a Microsoft 365 calendar") == true, "\(lines)")
            #expect(!lines.contains { $0.contains("Running CalendarSync") })
            #expect(try FileManager.default.contentsOfDirectory(atPath: setup.runDirectory.path).isEmpty, "no workspace was made")
        }
    }

    @Test("failure: exit status 1 with the FATA line as the summary, classified")
    func failure() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await Self.setup(app, sink: "fail-\(UUID())@group.calendar.google.com")
            let (outcome, _) = try await Self.execute(setup, app: app)
            #expect(outcome.status == .failed && outcome.exitCode == 1)
            #expect(outcome.errorSummary?.hasPrefix("we had some errors during synchronization") == true)
            #expect(outcome.failureClass == .calendarGone)
        }
    }

    @Test("a login prompt ends the run at once as needs-reconnect for the sink's account")
    func login() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await Self.setup(app, sink: "login-\(UUID())@group.calendar.google.com")
            let started = ContinuousClock.now
            let (outcome, _) = try await Self.execute(setup, app: app)
            #expect(ContinuousClock.now - started < .seconds(20), "killed at once, not after its 600 s sleep")
            #expect(outcome.status == .needsReconnect)
            #expect(outcome.reconnectAccountID == setup.destinationAccount)
            #expect(outcome.errorSummary?.contains("me@home.example") == true)
        }
    }

    @Test("a run past its timeout is stopped with its whole process group, in the sandbox and without it", arguments: [SandboxSettings.Mode.auto, .off])
    func timeout(mode: SandboxSettings.Mode) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let sink = "hang-\(UUID())@group.calendar.google.com"
            let setup = try await Self.setup(app, sink: sink, sandbox: TestSandbox.settings(mode))
            let (outcome, lines) = try await Self.execute(setup, app: app, timeout: 15)
            #expect(outcome.status == .timedOut)
            #expect(lines.contains { $0.hasPrefix("standin: grandchild ") }, "the grandchild was started: \(lines)")
            #expect(try await JobRun.find(setup.runID, on: app.db)?.sandboxed == (mode == .auto))
            // Found by its name in the host's /proc (its PID inside a sandbox means nothing here). Gone, or a zombie
            // waiting to be reaped by init (a container's init may not reap at once); polled, as the kernel tears a
            // PID namespace down asynchronously.
            let marker = "standin-grandchild-\(sink)"
            try await eventually("the grandchild was killed with the group",
                                 details: { "still alive: \(Self.processes(named: marker).filter { $0.state != "Z" })" }) {
                Self.processes(named: marker).allSatisfy { $0.state == "Z" }
            }
        }
    }

    /// Host processes whose command line starts with `marker`, with their state letter from /proc/PID/stat.
    static func processes(named marker: String) -> [(pid: Int32, state: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (Int32, String)? in
            guard let pid = Int32(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).hasPrefix(marker),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let state = stat.split(separator: ")").last?.split(separator: " ").first else { return nil }
            return (pid, String(state))
        }
    }

    @Test("a refresh Google refuses ends the run as needs-reconnect without starting the CLI")
    func refusedRefresh() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await Self.setup(app, sink: "success-\(UUID())@group.calendar.google.com", refresh: "revoked")
            let (outcome, lines) = try await Self.execute(setup, app: app)
            #expect(outcome.status == .needsReconnect && outcome.failureClass == .reconnect)
            #expect(outcome.reconnectAccountID == setup.sourceAccount)
            #expect(!lines.contains { $0.contains("standin") }, "CalendarSync was not started")
        }
    }

    @Test("a flood of output is stored up to the log cap and the run still succeeds")
    func flood() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await Self.setup(app, sink: "flood-\(UUID())@group.calendar.google.com")
            let log = RunLogWriter(runID: setup.runID, db: app.db, cap: 5000)
            // A generous limit: 100,000 lines through the sandbox took over 60 s on a loaded two-core machine.
            let outcome = await setup.executor.execute(
                RunContext(runID: setup.runID, jobID: setup.jobID, mode: .sync, trigger: .manual, attempt: 1, timeout: 600), log: log)
            let (written, dropped) = await log.finish()
            #expect(outcome.status == .succeeded && outcome.created == 0)
            #expect(written == 5000 && dropped > 90_000)
        }
    }
}
