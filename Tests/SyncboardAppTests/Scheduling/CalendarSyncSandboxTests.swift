import Fluent
import Foundation
import Logging
import NIOCore
import NIOPosix
import SyncEngines
import Synchronization
import Testing
import Vapor
import VaporTesting
@testable import SyncboardApp

/// The CalendarSync CLI in the bubblewrap sandbox (SYNCBOARD_SANDBOX), with the Python stand-in in its `probe`
/// scenario: told (through its sink calendar id) what to try, it reports each attempt on one line. Inside the
/// sandbox it must reach its config, its auth storage, names and a loopback listener, and nothing else; the same
/// stand-in run with SYNCBOARD_SANDBOX=off reaches all of it. These tests need bubblewrap (scripts/test installs it).
@Suite("CalendarSync in the bubblewrap sandbox")
struct CalendarSyncSandboxTests {
    // MARK: - The probe stand-in

    struct Plan: Encodable {
        var read: [String: String] = [:]
        var list: [String: String] = [:]
        var write: [String: String] = [:]
        var host = "localhost"
        var port = 9
    }

    struct Attempt: Decodable, CustomStringConvertible {
        let ok: Bool
        let detail: String
        var entries: [String] { detail.isEmpty ? [] : detail.components(separatedBy: ",") }
        var description: String { "\(ok ? "ok" : "failed"): \(detail)" }
    }

    /// The sink calendar id that carries the plan (base64url JSON) to the stand-in.
    static func sink(_ plan: Plan) throws -> String {
        let token = try JSONEncoder().encode(plan).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "probe-\(token)@group.calendar.google.com"
    }

    static func report(_ lines: [String]) throws -> [String: Attempt] {
        let reported = lines.filter { $0.hasPrefix("standin-probe ") }
        try #require(!reported.isEmpty, "the probe ran: \(lines)")
        var attempts: [String: Attempt] = [:]
        for line in reported {
            attempts.merge(try JSONDecoder().decode([String: Attempt].self, from: Data(line.dropFirst("standin-probe ".count).utf8))) { $1 }
        }
        return attempts
    }

    /// An app on a SQLite file in `dataDirectory` with a generated key file beside it, as on a fresh machine.
    static func withFileBackedApp<T>(dataDirectory: URL, _ body: (Application) async throws -> T) async throws -> T {
        let configuration = try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_DATA_DIR": dataDirectory.path]))
        let app = try await SyncboardApplication.make(configuration: configuration, environment: .testing)
        app.logger.logLevel = .warning
        do {
            try await SyncboardApplication.migrate(app)
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Greets every connection with one line, so the stand-in can show that its connection really arrived.
    final class Greeter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        static let greeting = "hello from the test listener"

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: Self.greeting + "\n")), promise: nil)
        }
    }

    static func withListener<T>(_ body: (Int) async throws -> T) async throws -> T {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(Greeter()) }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body(try #require(channel.localAddress?.port))
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Another run's directory beside ours, as a concurrent run would leave it.
    static func otherRun(in runDirectory: URL) throws -> URL {
        let other = runDirectory.appendingPathComponent("syncboard-run-other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = other.appendingPathComponent("auth-storage.yaml")
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("another run's tokens\n".utf8), attributes: [.posixPermissions: 0o600]))
        return file
    }

    static func sandboxed(_ runID: UUID, _ app: Application) async throws -> Bool? {
        try await JobRun.find(runID, on: app.db)?.sandboxed
    }

    // MARK: - Isolation

    @Test("sandboxed, the stand-in reads its config and auth storage, resolves localhost and connects to a loopback listener, and reaches nothing else; with SYNCBOARD_SANDBOX=off it reaches all of it")
    func isolation() async throws {
        let root = try TestApp.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataDirectory = root.appendingPathComponent("data")
        try await Self.withFileBackedApp(dataDirectory: dataDirectory) { app in
            try await Self.withListener { port in
                let runDirectory = try TestApp.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: runDirectory) }
                let otherRun = try Self.otherRun(in: runDirectory)
                let database = dataDirectory.appendingPathComponent("syncboard.sqlite").path
                let keyFile = dataDirectory.appendingPathComponent(GeneratedKeyFile.fileName).path
                #expect(FileManager.default.fileExists(atPath: database) && FileManager.default.fileExists(atPath: keyFile))
                let id = UUID().uuidString, pid = getpid()
                let escapes = [
                    "run dir": runDirectory.appendingPathComponent("escape-\(id)").path,
                    "data dir": dataDirectory.appendingPathComponent("escape-\(id)").path,
                    "var tmp": "/var/tmp/standin-escape-\(id)",
                    "usr": "/usr/local/standin-escape-\(id)",
                ]
                let privateTmp = "/tmp/standin-private-\(id)"
                defer { for path in Array(escapes.values) + [privateTmp] { try? FileManager.default.removeItem(atPath: path) } }
                let plan = Plan(
                    read: ["database": database, "key file": keyFile, "other run": otherRun.path,
                           "syncboard environ": "/proc/\(pid)/environ", "syncboard cmdline": "/proc/\(pid)/cmdline"],
                    list: ["data dir": dataDirectory.path, "run dir": runDirectory.path, "home": NSHomeDirectory(),
                           "syncboard fds": "/proc/\(pid)/fd"],
                    write: escapes.merging(["tmp": privateTmp]) { $1 },
                    host: "localhost", port: port)
                let setup = try await CalendarSyncRunExecutorTests.setup(app, sink: try Self.sink(plan), runDirectory: runDirectory)

                let (outcome, lines) = try await CalendarSyncRunExecutorTests.execute(setup, app: app)
                try #require(outcome.status == .succeeded, "\(lines)")
                #expect(lines.contains { $0.hasPrefix("CalendarSync runs in a sandbox (bubblewrap)") }, "\(lines)")
                #expect(try await Self.sandboxed(setup.runID, app) == true)
                let inside = try Self.report(lines)
                // What CalendarSync needs works.
                for name in ["read config", "read auth storage", "write workspace", "resolve", "connect", "write tmp"] {
                    #expect(inside[name]?.ok == true, "\(name): \(inside[name].map(String.init(describing:)) ?? "not tried")")
                }
                #expect(inside["resolve"]?.entries.contains("127.0.0.1") == true, "\(inside["resolve"].map(String.init(describing:)) ?? "")")
                #expect(inside["connect"]?.detail == Greeter.greeting)
                // Nothing else: Syncboard's database and key, another run, Syncboard's process, writes outside.
                for name in ["read database", "read key file", "read other run", "read syncboard environ", "read syncboard cmdline",
                             "list data dir", "list syncboard fds"] + escapes.keys.map({ "write \($0)" }) {
                    #expect(inside[name]?.ok == false, "\(name) must fail in the sandbox: \(inside[name].map(String.init(describing:)) ?? "not tried")")
                }
                let runs = try #require(inside["list run dir"])
                #expect(runs.entries.count == 1 && runs.entries.allSatisfy { $0.hasPrefix("syncboard-run-") && $0 != "syncboard-run-other" },
                        "only its own run directory: \(runs)")
                let processes = try #require(inside["processes"]).entries.compactMap { Int32($0) }
                #expect(!processes.contains(pid) && !processes.isEmpty && processes.count <= 4, "only the sandbox's own processes: \(processes)")
                #expect(inside["parent"]?.detail == "1", "its parent is the sandbox's init, not Syncboard")
                if let parent = inside["parent environ"], parent.ok {  // bwrap's init: the scrubbed environment at most
                    #expect(Set(parent.entries).isSubset(of: ["PATH", "HOME", "TZ", "CALENDARSYNC_ENCRYPTION_KEY"]), "\(parent)")
                }
                #expect(inside["capabilities"]?.detail == "0000000000000000")
                // The home directory shows at most the interpreter's read-only paths (a pyenv root), nothing of its own.
                if let home = inside["list home"], home.ok {
                    let allowed = Set(TestSandbox.interpreterPaths.compactMap { path -> String? in
                        path.hasPrefix(NSHomeDirectory() + "/") ? path.dropFirst(NSHomeDirectory().count + 1).split(separator: "/").first.map(String.init) : nil
                    })
                    #expect(Set(home.entries).isSubset(of: allowed), "home shows \(home.entries)")
                }
                for path in Array(escapes.values) + [privateTmp] {
                    #expect(!FileManager.default.fileExists(atPath: path), "nothing was written to the host's \(path)")
                }

                // The same stand-in without the sandbox: it reaches all of it.
                let off = try await CalendarSyncRunExecutorTests.again(setup, app: app, sandbox: TestSandbox.settings(.off))
                let (offOutcome, offLines) = try await CalendarSyncRunExecutorTests.execute(off, app: app)
                try #require(offOutcome.status == .succeeded, "\(offLines)")
                #expect(offLines.contains("CalendarSync runs without a sandbox: SYNCBOARD_SANDBOX=off."))
                #expect(try await Self.sandboxed(off.runID, app) == false)
                let outside = try Self.report(offLines)
                for name in ["read config", "read auth storage", "resolve", "connect", "read database", "read key file", "read other run",
                             "read syncboard environ", "list data dir", "list syncboard fds", "write run dir", "write data dir", "write var tmp", "write tmp"] {
                    #expect(outside[name]?.ok == true, "\(name) works without the sandbox: \(outside[name].map(String.init(describing:)) ?? "not tried")")
                }
                #expect(outside["list run dir"]?.entries.contains("syncboard-run-other") == true)
                #expect(outside["processes"]?.entries.contains(String(pid)) == true)
                #expect(outside["parent"]?.detail == String(pid) && outside["parent environ"]?.ok == true, "its parent is Syncboard, environment and all")
                for path in [escapes["run dir"]!, escapes["data dir"]!, privateTmp] {
                    #expect(FileManager.default.fileExists(atPath: path), "without the sandbox \(path) was written")
                }
            }
        }
    }

    @Test("the data directory and other runs stay hidden even inside a read-only path that contains them")
    func hiddenInsideReadOnlyPath() async throws {
        let root = try TestApp.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataDirectory = root.appendingPathComponent("data"), runDirectory = root.appendingPathComponent("runs")
        let visible = root.appendingPathComponent("visible.txt")
        #expect(FileManager.default.createFile(atPath: visible.path, contents: Data("shown\n".utf8)))
        try await Self.withFileBackedApp(dataDirectory: dataDirectory) { app in
            let otherRun = try Self.otherRun(in: runDirectory)
            let plan = Plan(
                read: ["visible": visible.path, "database": dataDirectory.appendingPathComponent("syncboard.sqlite").path,
                       "key file": dataDirectory.appendingPathComponent(GeneratedKeyFile.fileName).path, "other run": otherRun.path],
                list: ["data dir": dataDirectory.path, "run dir": runDirectory.path],
                write: ["root": root.appendingPathComponent("escape").path])
            let setup = try await CalendarSyncRunExecutorTests.setup(app, sink: try Self.sink(plan), sandbox: TestSandbox.settings(extra: [root.path]),
                                                                     runDirectory: runDirectory)
            let (outcome, lines) = try await CalendarSyncRunExecutorTests.execute(setup, app: app)
            try #require(outcome.status == .succeeded, "\(lines)")
            #expect(try await Self.sandboxed(setup.runID, app) == true)
            let inside = try Self.report(lines)
            #expect(inside["read visible"]?.ok == true, "the read-only path itself is shown")
            for name in ["read database", "read key file", "read other run", "write root"] {
                #expect(inside[name]?.ok == false, "\(name): \(inside[name].map(String.init(describing:)) ?? "not tried")")
            }
            #expect(inside["list data dir"]?.entries == [], "the data directory is an empty tmpfs inside")
            #expect(inside["list run dir"]?.entries.count == 1 && inside["list run dir"]?.entries.contains("syncboard-run-other") == false)
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("escape").path))
        }
    }

    // MARK: - SYNCBOARD_SANDBOX=auto and on

    final class LogLines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }

        struct Handler: LogHandler {
            let sink: LogLines
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let fields = (event.metadata ?? [:]).map { "\($0)=\($1)" }.sorted().joined(separator: " ")
                sink.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
            }
        }

        var logger: Logger { Logger(label: "test") { _ in Handler(sink: self) } }
    }

    @Test("auto: where the sandbox does not work, the run goes ahead without it, and the run's log and the process log say why",
          arguments: [("/bin/false", "--version failed in it (exit status 1)"), ("/nonexistent/bwrap", "SYNCBOARD_SANDBOX_BWRAP (/nonexistent/bwrap) is not an executable file")])
    func autoFallsBack(bwrap: String, reason: String) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let plain = try await CalendarSyncRunExecutorTests.setup(app, sink: "success-\(UUID())@group.calendar.google.com",
                                                                     sandbox: TestSandbox.settings(.auto, bwrap: bwrap))
            let logs = LogLines()
            var executor = plain.executor
            executor.logger = logs.logger
            let setup = CalendarSyncRunExecutorTests.Setup(executor: executor, jobID: plain.jobID, sourceAccount: plain.sourceAccount,
                                                           destinationAccount: plain.destinationAccount, runID: plain.runID, runDirectory: plain.runDirectory)
            let (outcome, lines) = try await CalendarSyncRunExecutorTests.execute(setup, app: app)
            #expect(outcome.status == .succeeded, "\(lines)")
            #expect(lines.contains("standin: checks passed (sync)"))
            let notice = try #require(lines.first { $0.hasPrefix("CalendarSync runs without a sandbox: ") }, "\(lines)")
            #expect(notice.contains(reason) && notice.contains("SYNCBOARD_SANDBOX=auto"), "\(notice)")
            #expect(try await Self.sandboxed(setup.runID, app) == false)
            if bwrap == "/bin/false" {  // the probe ran and its failure went to the process log
                #expect(logs.all.contains { $0.hasPrefix("warning the CalendarSync sandbox does not work here") && $0.contains(reason) }, "\(logs.all)")
            }
        }
    }

    @Test("on: where the sandbox does not work, CLI runs are refused with one readable line and CalendarSync is not started")
    func onRefuses() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await CalendarSyncRunExecutorTests.setup(app, sink: "success-\(UUID())@group.calendar.google.com",
                                                                     sandbox: TestSandbox.settings(.on, bwrap: "/bin/false"))
            let (outcome, lines) = try await CalendarSyncRunExecutorTests.execute(setup, app: app)
            #expect(outcome.status == .failed && outcome.failureClass == .configuration)
            let summary = try #require(outcome.errorSummary)
            #expect(summary.hasPrefix("SYNCBOARD_SANDBOX=on, but the sandbox does not work here: ") && summary.hasSuffix("CalendarSync was not started."), "\(summary)")
            #expect(!summary.contains("\n") && summary.count < 400, "one readable line")
            #expect(lines == [summary], "nothing else happened: \(lines)")
            #expect(try await Self.sandboxed(setup.runID, app) == nil)
        }
    }

    @Test("on: where the sandbox works, runs go ahead in it")
    func onRunsSandboxed() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await CalendarSyncRunExecutorTests.setup(app, sink: "success-\(UUID())@group.calendar.google.com", sandbox: TestSandbox.settings(.on))
            let (outcome, lines) = try await CalendarSyncRunExecutorTests.execute(setup, app: app, mode: .dryRun)
            #expect(outcome.status == .succeeded && outcome.created == 2, "\(lines)")
            #expect(lines.contains("standin: checks passed (dry-run)"))
            #expect(try await Self.sandboxed(setup.runID, app) == true)
        }
    }

    // MARK: - /readyz and the run page

    static func readyz(_ app: Application) async throws -> (HTTPStatus, ReadinessReport) {
        var result: (HTTPStatus, ReadinessReport)?
        try await app.testing().test(.GET, "readyz") { response async throws in
            result = (response.status, try response.content.decode(ReadinessReport.self))
        }
        return try #require(result)
    }

    static func finishedRun(_ app: Application, job: UUID, sandboxed: Bool?, startedAt: Date) async throws -> JobRun {
        let run = JobRun(jobID: job, trigger: .manual, mode: .sync, status: .succeeded, scheduledFor: nil, queuedAt: startedAt)
        run.engine = "calendarsync"
        run.startedAt = startedAt
        run.finishedAt = startedAt.addingTimeInterval(2)
        run.sandboxed = sandboxed
        try await run.create(on: app.db)
        return run
    }

    static func job(_ app: Application) async throws -> (User, UUID) {
        let user = try await Fixtures.user(app.db)
        let account = try await Fixtures.account(app.db, user: user)
        let source = try await Fixtures.calendar(app.db, account: account), destination = try await Fixtures.calendar(app.db, account: account)
        return (user, try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil))
    }

    @Test("/readyz says whether CalendarSync runs sandboxed, why not, and whether the latest run was")
    func readiness() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            try await WorkerHeartbeat(id: "w1", role: "worker", startedAt: Date(), lastSeenAt: Date()).create(on: app.db)
            app.syncboard.configuration.calendarSyncBinary = CalendarSyncRunExecutorTests.standin
            app.syncboard.configuration.sandbox = TestSandbox.settings()

            var (status, report) = try await Self.readyz(app)
            var check = try #require(report.checks.first { $0.name == "calendarsync" })
            #expect(status == .ok && check.ok && check.detail.contains("runs sandboxed (bubblewrap at "), "\(check.detail)")
            var sandbox = try #require(report.sandbox)
            #expect(sandbox.mode == "auto" && sandbox.active && sandbox.lastRun == nil)

            let (_, job) = try await Self.job(app)
            _ = try await Self.finishedRun(app, job: job, sandboxed: true, startedAt: Date(timeIntervalSinceNow: -120))
            let latest = try await Self.finishedRun(app, job: job, sandboxed: false, startedAt: Date(timeIntervalSinceNow: -60))
            _ = try await Self.finishedRun(app, job: job, sandboxed: nil, startedAt: Date(timeIntervalSinceNow: -30))  // CalendarSync not started
            sandbox = try #require(try await Self.readyz(app).1.sandbox)
            #expect(sandbox.lastRun?.id == latest.id && sandbox.lastRun?.sandboxed == false)

            app.syncboard.configuration.sandbox = TestSandbox.settings(.auto, bwrap: "/bin/false")
            (status, report) = try await Self.readyz(app)
            check = try #require(report.checks.first { $0.name == "calendarsync" })
            #expect(status == .ok && check.ok && check.detail.contains("runs without a sandbox: "), "\(check.detail)")
            #expect(report.sandbox?.active == false && report.sandbox?.detail.contains("--version failed in it") == true)

            app.syncboard.configuration.sandbox = TestSandbox.settings(.on, bwrap: "/bin/false")
            (status, report) = try await Self.readyz(app)
            check = try #require(report.checks.first { $0.name == "calendarsync" })
            #expect(status == .serviceUnavailable && report.status == "not_ready" && !check.ok)
            #expect(check.detail.contains("runs are refused: SYNCBOARD_SANDBOX=on, but the sandbox does not work here"), "\(check.detail)")
            #expect(report.sandbox?.mode == "on" && report.sandbox?.active == false)

            app.syncboard.configuration.sandbox = TestSandbox.settings(.off)
            (status, report) = try await Self.readyz(app)
            #expect(status == .ok && report.sandbox?.mode == "off" && report.sandbox?.active == false)
            #expect(report.sandbox?.detail == "runs without a sandbox: SYNCBOARD_SANDBOX=off")
        }
    }

    @Test("the run page says in words whether CalendarSync ran in the sandbox")
    func runPage() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let (user, job) = try await Self.job(app)
            let client = try await SignedInClient.signIn(user, on: app)
            for (sandboxed, expected) in [(true, "Yes: CalendarSync saw only its run directory"), (false, "No: CalendarSync ran with Syncboard")] as [(Bool, String)] {
                let run = try await Self.finishedRun(app, job: job, sandboxed: sandboxed, startedAt: Date())
                let page = try await client.get("/runs/\(try run.requireID())")
                #expect(page.status == .ok)
                #expect(page.body.string.contains("<dt>Sandbox</dt><dd id=\"run-sandbox\">\(expected)"), "\(sandboxed)")
            }
            let notStarted = try await Self.finishedRun(app, job: job, sandboxed: nil, startedAt: Date())
            let page = try await client.get("/runs/\(try notStarted.requireID())")
            #expect(page.status == .ok && !page.body.string.contains("run-sandbox"), "no sandbox row when CalendarSync did not run")
        }
    }

    // MARK: - Configuration and the command line

    static func load(_ environment: [String: String]) throws(ConfigurationError) -> SandboxSettings {
        try AppConfiguration.load(from: EnvironmentReader(environment: environment)).sandbox
    }

    @Test("SYNCBOARD_SANDBOX, SYNCBOARD_SANDBOX_BWRAP and SYNCBOARD_SANDBOX_READONLY_PATHS are read and checked")
    func configuration() throws {
        #expect(try Self.load([:]) == SandboxSettings(mode: .auto, bwrap: nil, readOnlyPaths: []))
        #expect(try Self.load(["SYNCBOARD_SANDBOX": "ON", "SYNCBOARD_SANDBOX_BWRAP": "/opt/bwrap", "SYNCBOARD_SANDBOX_READONLY_PATHS": "/opt/a:/opt/b"])
                == SandboxSettings(mode: .on, bwrap: "/opt/bwrap", readOnlyPaths: ["/opt/a", "/opt/b"]))
        #expect(try Self.load(["SYNCBOARD_SANDBOX": "off"]).mode == .off)
        #expect(throws: ConfigurationError(variable: "SYNCBOARD_SANDBOX", expected: "expected one of: auto, on, off")) {
            try Self.load(["SYNCBOARD_SANDBOX": "yes"])
        }
        #expect(throws: ConfigurationError(variable: "SYNCBOARD_SANDBOX_READONLY_PATHS", expected: "expected absolute paths separated by ':'")) {
            try Self.load(["SYNCBOARD_SANDBOX_READONLY_PATHS": "/opt/a:relative"])
        }
    }

    @Test("the bwrap command line: namespaces, no capabilities, the binary's file but not its folder, hidden paths covered before the workspace is bound")
    func commandLine() throws {
        let root = try TestApp.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), runs = root.appendingPathComponent("runs"), tools = root.appendingPathComponent("tools")
        for directory in [data, runs.appendingPathComponent("syncboard-run-1"), tools] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let inData = data.appendingPathComponent("calendarsync").path, inTools = tools.appendingPathComponent("calendarsync").path
        for binary in [inData, inTools] { #expect(FileManager.default.createFile(atPath: binary, contents: Data(), attributes: [.posixPermissions: 0o755])) }
        let workspace = runs.appendingPathComponent("syncboard-run-1")

        // A binary in a private folder: only its file is shown.
        let plain = BubblewrapSandbox(bwrap: "/usr/bin/bwrap", hiddenPaths: [data.path, runs.path])
        let args = plain.arguments(executable: inTools, arguments: ["--config", "x"], workspace: workspace)
        for flags in [["--unshare-all", "--share-net"], ["--die-with-parent", "--new-session", "--cap-drop", "ALL"], ["--tmpfs", "/tmp"],
                      ["--ro-bind", inTools, inTools],
                      ["--tmpfs", runs.path, "--bind", workspace.path, workspace.path], ["--remount-ro", runs.path, "--chdir", workspace.path]] {
            #expect(args.contains(flags), "\(flags) in \(args)")
        }
        #expect(!args.contains(tools.path) && !args.contains(root.path) && !args.contains(data.path), "nothing else of the host: \(args)")
        #expect(Array(args.suffix(3)) == [inTools, "--config", "x"])
        #expect(args.contains(["--remount-ro", "/"]))

        // Inside an operator's read-only path: the data directory and the runs are covered, then the binary's file and
        // the workspace are bound on top.
        let database = data.appendingPathComponent("syncboard.sqlite").path, dotEnv = root.appendingPathComponent(".env").path
        for file in [database, dotEnv] { #expect(FileManager.default.createFile(atPath: file, contents: Data("secret".utf8))) }
        let wide = BubblewrapSandbox(bwrap: "/usr/bin/bwrap", readOnlyPaths: [root.path], hiddenPaths: [database, data.path, runs.path, dotEnv])
        let wideArgs = wide.arguments(executable: inData, arguments: [], workspace: workspace)
        #expect(wideArgs.contains(["--ro-bind", "/dev/null", dotEnv]), "a hidden file reads as empty")
        #expect(!wideArgs.contains(database), "a file inside a hidden directory needs nothing of its own")
        let readOnly = try #require(wideArgs.firstRange(of: ["--ro-bind", root.path, root.path])).lowerBound
        let hideData = try #require(wideArgs.firstRange(of: ["--tmpfs", data.path])).lowerBound
        let hideRuns = try #require(wideArgs.firstRange(of: ["--tmpfs", runs.path])).lowerBound
        let binary = try #require(wideArgs.firstRange(of: ["--ro-bind", inData, inData])).lowerBound
        let bind = try #require(wideArgs.firstRange(of: ["--bind", workspace.path, workspace.path])).lowerBound
        #expect(readOnly < hideData && hideData < binary && readOnly < hideRuns && hideRuns < bind, "\(wideArgs)")

        // A program below the runs' folder (CALENDARSYNC_BIN and the default run directory both under /tmp):
        // bound after that folder's empty tmpfs, which would otherwise cover it.
        let inRuns = runs.appendingPathComponent("tools/calendarsync").path
        let nested = plain.arguments(executable: inRuns, arguments: [], workspace: workspace)
        let runsCovered = try #require(nested.firstRange(of: ["--tmpfs", runs.path])).lowerBound
        let nestedBinary = try #require(nested.firstRange(of: ["--ro-bind", inRuns, inRuns]), "\(nested)").lowerBound
        #expect(runsCovered < nestedBinary, "\(nested)")
    }
}
