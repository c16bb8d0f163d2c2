import Foundation
import Logging
import SyncEngines

/// Decides whether a CalendarSync run starts in the bubblewrap sandbox (SYNCBOARD_SANDBOX): `off` never, `on`
/// only in it (or not at all), `auto` in it when it works here. Whether it works is found out once per process and
/// setting, by running `calendarsync --version` inside it: that proves bwrap, the namespaces the host allows, and
/// what the binary needs to start.
enum CalendarSyncSandbox {
    enum Decision: Sendable, Equatable {
        case sandboxed(BubblewrapSandbox)
        /// Runs as before; `reason` says why (one line).
        case unsandboxed(reason: String)
        /// SYNCBOARD_SANDBOX=on and the sandbox does not work: the one line the run fails with.
        case refused(String)

        /// For the run's log.
        var logLine: String {
            switch self {
            case .sandboxed:
                return "CalendarSync runs in a sandbox (bubblewrap): it sees its run directory, system files and the network, nothing else."
            case .unsandboxed(let reason):
                return "CalendarSync runs without a sandbox: \(reason)."
            case .refused(let line):
                return line
            }
        }

        /// For /readyz.
        var readinessDetail: String {
            switch self {
            case .sandboxed(let sandbox): return "runs sandboxed (bubblewrap at \(sandbox.bwrap))"
            case .unsandboxed(let reason): return "runs without a sandbox: \(reason)"
            case .refused(let line): return "runs are refused: \(line)"
            }
        }
    }

    static func decide(_ configuration: AppConfiguration, binary: String, logger: Logger) async -> Decision {
        let settings = configuration.sandbox
        guard settings.mode != .off else { return .unsandboxed(reason: "SYNCBOARD_SANDBOX=off") }
        let reason: String
        if let bwrap = BubblewrapSandbox.locate(configured: settings.bwrap, path: ProcessInfo.processInfo.environment["PATH"]) {
            let sandbox = BubblewrapSandbox(bwrap: bwrap, readOnlyPaths: settings.readOnlyPaths, hiddenPaths: hiddenPaths(configuration))
            guard let failure = await probes.result(sandbox: sandbox, binary: binary, runDirectory: configuration.runDirectory, logger: logger) else {
                return .sandboxed(sandbox)
            }
            reason = failure
        } else {
            reason = settings.bwrap.map { "SYNCBOARD_SANDBOX_BWRAP (\($0)) is not an executable file" }
                ?? "bubblewrap (bwrap) is not installed"
        }
        if settings.mode == .on {
            return .refused("SYNCBOARD_SANDBOX=on, but the sandbox does not work here: \(reason); CalendarSync was not started.")
        }
        return .unsandboxed(reason: "\(reason) (SYNCBOARD_SANDBOX=auto runs it anyway; see the README on what the sandbox needs)")
    }

    /// Syncboard's own files and the other runs, kept hidden even if a configured read-only path contains them.
    static func hiddenPaths(_ configuration: AppConfiguration) -> [String] {
        var paths = [configuration.dataDirectory.path, configuration.runDirectory.path, FileManager.default.currentDirectoryPath + "/.env"]
        if case .sqlite(let database) = configuration.database { paths += [database, database + "-wal", database + "-shm"] }
        return paths
    }

    static let probes = Probes()

    /// One probe per setting and binary for the life of the process; concurrent callers share it.
    actor Probes {
        struct Key: Hashable {
            let sandbox: BubblewrapSandbox
            let binary: String
            let runDirectory: String
        }

        private var results: [Key: Task<String?, Never>] = [:]

        /// Nil when the binary runs in the sandbox, else why not (one line).
        func result(sandbox: BubblewrapSandbox, binary: String, runDirectory: URL, logger: Logger) async -> String? {
            let key = Key(sandbox: sandbox, binary: binary, runDirectory: runDirectory.path)
            if let existing = results[key] { return await existing.value }
            let task = Task {
                let failure = await CalendarSyncSandbox.probe(sandbox, binary: binary, runDirectory: runDirectory)
                if let failure {
                    logger.warning("the CalendarSync sandbox does not work here", metadata: ["reason": .string(failure), "bwrap": .string(sandbox.bwrap)])
                } else {
                    logger.info("CalendarSync runs in a bubblewrap sandbox", metadata: ["bwrap": .string(sandbox.bwrap)])
                }
                return failure
            }
            results[key] = task
            return await task.value
        }
    }

    /// Runs `binary --version` in the sandbox, in a workspace of its own.
    static func probe(_ sandbox: BubblewrapSandbox, binary: String, runDirectory: URL) async -> String? {
        let lines = LineCollector()
        do {
            let ending = try await RunWorkspace.with(base: runDirectory) { workspace in
                let process = CalendarSyncProcess(executable: binary, timeout: .seconds(60), sandbox: sandbox)
                let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "HOME": workspace.url.path]
                return try await process.run(arguments: ["--version"], environment: environment, workingDirectory: workspace.url) { _, line in
                    await lines.append(line)
                }.ending
            }
            if ending == .exited(0) { return nil }
            let output = await lines.lines
            let detail = output.first { $0.hasPrefix("bwrap: ") } ?? output.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let how: String
            switch ending {
            case .exited(let code): how = "exit status \(code)"
            case .signaled(let signal): how = "signal \(signal)"
            default: how = "no answer within 60 s"
            }
            return "\(binary) --version failed in it (\(how))" + (detail.map { ": " + oneLine($0) } ?? "")
        } catch {
            return "it could not be tried: " + oneLine(String(describing: error))
        }
    }

    static func oneLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(300))
    }

    actor LineCollector {
        private(set) var lines: [String] = []
        func append(_ line: String) { if lines.count < 200 { lines.append(line) } }
    }
}
