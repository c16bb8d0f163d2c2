import Foundation
import Vapor

/// Runs the real `syncboard` binary as a child process (built by `swift build`, which `swift test` runs first).
struct ChildProcess {
    let process: Process
    let stdout: Pipe
    let stderr: Pipe

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
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return ChildProcess(process: process, stdout: stdout, stderr: stderr)
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

    func readStdout() -> String { String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    func readStderr() -> String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    /// A TCP port that was free a moment ago, for a child process to listen on. Chosen at random below Linux's
    /// ephemeral range (32768 and up), where the kernel hands out the local ports of outgoing connections: a port
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
