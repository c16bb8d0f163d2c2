import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the CalendarSync binary unattended: explicit arguments, a scrubbed environment, no stdin, its own process
/// group, a timeout after which the whole group is killed, stdout and stderr streamed line by line, and the lines
/// with which CalendarSync asks for an interactive login recognised at once (the group is killed: nobody is there
/// to open a browser). With a `sandbox`, the binary runs inside it (bwrap is then the group's leader: killing the
/// group kills bwrap, and the sandbox dies with it).
public struct CalendarSyncProcess: Sendable {
    public enum Stream: String, Sendable { case stdout, stderr }

    public struct Result: Sendable, Equatable {
        public enum Ending: Sendable, Equatable {
            case exited(Int32)
            case signaled(Int32)
            case timedOut
            /// CalendarSync asked for a login; `adapter` is "source" or "sink" when the line says which.
            case needsLogin(adapter: String?, line: String)
            case cancelled
        }

        public var ending: Ending
        public var counts: (created: Int, updated: Int, deleted: Int)?
        /// The first line that looks like an error (FATA / ERRO), for the dashboard.
        public var firstErrorLine: String?

        public static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.ending == rhs.ending && lhs.firstErrorLine == rhs.firstErrorLine
                && lhs.counts?.created == rhs.counts?.created && lhs.counts?.updated == rhs.counts?.updated && lhs.counts?.deleted == rhs.counts?.deleted
        }
    }

    public let executable: String
    public let timeout: Duration
    public let sandbox: BubblewrapSandbox?

    public init(executable: String, timeout: Duration, sandbox: BubblewrapSandbox? = nil) {
        self.executable = executable
        self.timeout = timeout
        self.sandbox = sandbox
    }

    static let loginMarkers = [
        "Please authenticate adapter", "browser did not open, please authenticate adapter",
        "the refresh token expired or was revoked, initiating reauthentication",
    ]

    /// `calendarsync --version` → "v0.11.0" (or nil when the binary is missing or answers otherwise). Its PATH is
    /// the one runs get, so that a binary which needs PATH answers as it would run.
    public static func version(executable: String) async -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let result = try? await Subprocess.run(
            .path(FilePath(executable)), arguments: ["--version"], environment: .custom(["PATH": path]),
            input: .none, output: .string(limit: 4096), error: .discarded)
        else { return nil }
        guard result.terminationStatus.isSuccess else { return nil }
        let text = result.standardOutput
        return text.split(separator: "\n").first { $0.hasPrefix("Version:") }
            .map { $0.dropFirst("Version:".count).trimmingCharacters(in: .whitespaces) }
    }

    /// Finds the binary: CALENDARSYNC_BIN as given, else `calendarsync` on PATH.
    public static func locate(configured: String?, path: String?) -> String? {
        if let configured { return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/calendarsync"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs it. `environment` is the complete environment of the child (nothing else is inherited).
    public func run(arguments: [String], environment: [String: String], workingDirectory: URL,
                    onLine: @escaping @Sendable (Stream, String) async -> Void) async throws -> Result {
        var options = PlatformOptions()
        options.processGroupID = 0  // its own group, so a timeout or cancel kills grandchildren too
        let command = sandbox.map { ($0.bwrap, $0.arguments(executable: executable, arguments: arguments, workspace: workingDirectory)) }
            ?? (executable, arguments)
        let configuration = Configuration(
            executable: .path(FilePath(command.0)),
            arguments: Arguments(command.1),
            environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
            workingDirectory: FilePath(workingDirectory.path),
            platformOptions: options)
        let state = RunState()
        let timeout = self.timeout
        let outcome = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (stream, sequence) in [(Stream.stdout, execution.standardOutput), (.stderr, execution.standardError)] {
                    group.addTask {
                        var pending = ""
                        func emit(_ line: String) async {
                            await onLine(stream, line)
                            if let marker = Self.loginMarkers.first(where: { line.contains($0) }) {
                                let adapter = line.contains("type=sink") ? "sink" : (line.contains("type=source") ? "source" : nil)
                                if await state.markLogin(adapter: adapter, line: String(line.prefix(300))) {
                                    _ = marker
                                    try? execution.send(signal: .kill, toProcessGroup: true)
                                }
                            }
                            await state.observe(line)
                        }
                        for try await chunk in sequence {
                            pending += chunk.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                            while let newline = pending.firstIndex(of: "\n") {
                                await emit(String(pending[..<newline]))
                                pending = String(pending[pending.index(after: newline)...])
                            }
                        }
                        if !pending.isEmpty { await emit(pending) }
                    }
                }
                // The watchdog: on timeout or cancellation, the whole group goes (TERM, then KILL).
                let watchdog = Task {
                    do {
                        try await Task.sleep(for: timeout)
                        await state.markTimedOut()
                    } catch {
                        await state.markCancelled()
                    }
                    try? execution.send(signal: .terminate, toProcessGroup: true)
                    try? await Task.sleep(for: .seconds(2))
                    try? execution.send(signal: .kill, toProcessGroup: true)
                }
                defer { watchdog.cancel() }
                try await withTaskCancellationHandler {
                    try await group.waitForAll()
                } onCancel: {
                    watchdog.cancel()
                }
                // The pipes closed: the child is gone (or about to be). Stop the watchdog without killing.
                await state.finish()
            }
        }
        return await state.result(status: outcome.terminationStatus, sandboxed: sandbox != nil)
    }

    /// What the output revealed while the child ran.
    actor RunState {
        private var login: (adapter: String?, line: String)?
        private var timedOut = false
        private var cancelled = false
        private var finished = false
        private var counts: (Int, Int, Int)?
        private var firstError: String?

        func markLogin(adapter: String?, line: String) -> Bool {
            guard login == nil else { return false }
            login = (adapter, line)
            return true
        }

        func markTimedOut() { if !finished { timedOut = true } }
        func markCancelled() { if !finished { cancelled = true } }
        func finish() { finished = true }

        func observe(_ line: String) {
            if counts == nil, let parsed = CountsLine.parse(line) { counts = parsed }
            // "bwrap: …" is the sandbox failing to start the binary (a missing path, a refused namespace).
            if firstError == nil, line.contains("FATA") || line.contains("ERRO") || line.lowercased().contains("error") || line.hasPrefix("bwrap: ") {
                firstError = CountsLine.stripLogPrefix(line)
            }
        }

        func result(status: TerminationStatus, sandboxed: Bool) -> Result {
            let ending: Result.Ending
            if let login {
                ending = .needsLogin(adapter: login.adapter, line: login.line)
            } else if timedOut {
                ending = .timedOut
            } else if cancelled {
                ending = .cancelled
            } else {
                switch status {
                // bwrap exits with 128 + N when the program it ran was killed by signal N.
                case .exited(let code) where sandboxed && (129...192).contains(code): ending = .signaled(code - 128)
                case .exited(let code): ending = .exited(code)
                case .signaled(let signal): ending = .signaled(signal)
                }
            }
            return Result(ending: ending, counts: counts.map { (created: $0.0, updated: $0.1, deleted: $0.2) }, firstErrorLine: firstError)
        }
    }
}

/// CalendarSync's summary line: "found 2 new, 1 changed, and 0 deleted events".
public enum CountsLine {
    public static func parse(_ line: String) -> (Int, Int, Int)? {
        // Every output line comes here until one matches: a plain search first keeps a chatty CLI's 100,000 lines
        // cheap (the regex alone cost a test 20 s of CPU).
        guard line.contains(" deleted events"), let match = line.firstMatch(of: /found (\d+) new, (\d+) changed, and (\d+) deleted events/),
              let created = Int(match.1), let updated = Int(match.2), let deleted = Int(match.3) else { return nil }
        return (created, updated, deleted)
    }

    /// "3:04PM FATA message" → "message".
    public static func stripLogPrefix(_ line: String) -> String {
        let trimmed = line.replacing(/^\s*\d{1,2}:\d{2}(AM|PM)?\s+(FATA|ERRO|WARN|INFO|DEBU)\s+/, with: "")
        return String(trimmed.prefix(500))
    }
}
