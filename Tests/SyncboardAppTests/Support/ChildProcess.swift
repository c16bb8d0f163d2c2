import Foundation
import Vapor

/// Runs the real `syncboard` binary as a child process (built by `swift build`, which `swift test` runs first).
struct ChildProcess {
    let process: Process
    /// Its output goes to files, not pipes: a chatty process cannot block on a full pipe, and the output can be read
    /// while it runs (the port `serve --port 0` bound).
    let stdoutFile: URL
    let stderrFile: URL

    /// The directory holding the built products (the test bundle sits beside the executables).
    static var productsDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["SYNCBOARD_PRODUCTS_DIR"] {
            return URL(fileURLWithPath: override)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    static func binary(_ name: String) throws -> URL {
        let url = productsDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestSetupError("\(url.path) is missing: build the products first (swift build)")
        }
        return url
    }

    /// Starts `syncboard ARGS` with exactly `environment` (plus PATH), in `directory`.
    static func start(_ arguments: [String], environment: [String: String], directory: URL) throws -> ChildProcess {
        let process = Process()
        process.executableURL = try binary("syncboard")
        process.arguments = arguments
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = env
        process.currentDirectoryURL = directory
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("syncboard-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        let stdoutFile = outputs.appendingPathComponent("stdout"), stderrFile = outputs.appendingPathComponent("stderr")
        for file in [stdoutFile, stderrFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let stdout = try FileHandle(forWritingTo: stdoutFile), stderr = try FileHandle(forWritingTo: stderrFile)
        defer { try? stdout.close(); try? stderr.close() }  // the child keeps its own copies
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return ChildProcess(process: process, stdoutFile: stdoutFile, stderrFile: stderrFile)
    }

    /// Runs to completion with a deadline; returns status, stdout and stderr.
    static func run(_ arguments: [String], environment: [String: String], directory: URL,
                    timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try start(arguments, environment: environment, directory: directory)
        try await child.waitForExit(timeout: timeout)
        return (child.process.terminationStatus, child.readStdout(), child.readStderr())
    }

    func waitForExit(timeout: Duration) async throws {
        do {
            try await eventually(timeout: timeout, every: .milliseconds(50), "syncboard \(process.arguments ?? []) exits") { !process.isRunning }
        } catch let error as EventuallyTimeout {
            process.terminate()
            throw error
        }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// What it wrote so far (all of it once it has exited).
    func readStdout() -> String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    func readStderr() -> String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// The port `serve --port 0` bound, read from its "Server started on http://host:port" log line.
    func servedPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await ServedPort.wait(timeout: timeout, process: process) { readStdout() + readStderr() }
    }

    /// A TCP port that was free a moment ago: for a port nothing should listen on, and for child processes that cannot
    /// bind port 0 and say which port they got (PostgreSQL, the SMTP test server); `serve` binds 0 (`servedPort`).
    /// Chosen at random below Linux's ephemeral range (32768 and up), where the kernel hands out the local ports of outgoing connections: a port
    /// from that range (bind to 0) was taken now and then by one of the suite's own connections before the child
    /// bound it ("Address already in use"). Servers inside the test process bind port 0 instead (`startOnAnyPort`).
    static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<32_000)
            if isFree(port) { return port }
        }
        throw TestSetupError("could not find a free port between 20000 and 32000")
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

extension Application {
    /// Starts the app's HTTP server on 127.0.0.1 on a port the kernel chooses as it binds, and returns that port
    /// (no window between choosing a port and binding it, in which another socket could take it).
    func startOnAnyPort() async throws -> Int {
        http.server.configuration.hostname = "127.0.0.1"
        http.server.configuration.port = 0
        try await server.start()
        guard let port = http.server.shared.localAddress?.port else { throw TestSetupError("the test server has no local address") }
        return port
    }
}

/// The port a `syncboard serve --port 0` child bound: the kernel picks it as the child binds, so no other socket can
/// take it in between (as one could between a test choosing a free port and the child binding it).
enum ServedPort {
    /// The port in Vapor's "Server started on http://host:port" line, if the output has it.
    static func find(in output: String) -> Int? {
        guard let range = output.range(of: #"Server started on https?://[^\s"]+:(\d+)"#, options: .regularExpression) else { return nil }
        return output[range].split(separator: ":").last.flatMap { Int($0) }
    }

    static func wait(timeout: Duration, process: Process, output: () -> String) async throws -> Int {
        try await eventuallyValue(timeout: timeout, every: .milliseconds(50), "the server says which port it bound",
                                  details: { String(output().suffix(2_000)) }) {
            if let port = find(in: output()) { return port }
            guard process.isRunning else { throw TestSetupError("the server exited before it listened:\n\(output().suffix(2_000))") }
            return nil
        }
    }
}
