import Foundation

/// The real `syncboard` binary as a child process whose output goes to a file (a busy process would fill a pipe
/// nobody reads, and block on it); the file's tail explains a failure.
struct LoggedChildProcess: @unchecked Sendable {
    let name: String
    let process: Process
    let log: URL

    var pid: Int32 { process.processIdentifier }

    static func start(_ name: String, _ arguments: [String], environment: [String: String], directory: URL) throws -> LoggedChildProcess {
        let log = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }  // the child keeps its own copy
        let process = Process()
        process.executableURL = try ChildProcess.binary("syncboard")
        process.arguments = arguments
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = env
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return LoggedChildProcess(name: name, process: process, log: log)
    }

    func signal(_ number: Int32) { sendSignal(process.processIdentifier, number) }

    /// Waits until the process has exited or `deadline` passed; true when it exited.
    func waitForExit(until deadline: ContinuousClock.Instant) async -> Bool {
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Ends the process if it still runs (cleanup after a failure).
    func forceKill() { if process.isRunning { signal(SIGKILL) } }

    /// The last lines of the log, after the first fatal error if the process crashed (a backtrace would hide it).
    func logTail(lines: Int = 25) -> String {
        let all = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
        let fatal = all.first { $0.contains("Fatal error") || $0.contains("Assertion failed") || $0.contains("Precondition failed") }
        return "\(name) (\(log.path)):\n" + (fatal.map { "\($0)\n…\n" } ?? "") + all.suffix(lines).joined(separator: "\n")
    }

    /// The port `serve --port 0` bound, from its log.
    func servedPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await ServedPort.wait(timeout: timeout, process: process) { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    func logContains(_ text: String) -> Bool {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(text)
    }
}

private func sendSignal(_ pid: Int32, _ number: Int32) { kill(pid, number) }
