import Foundation

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
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestSetupError("syncboard \(process.arguments ?? []) did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    func readStdout() -> String { String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    func readStderr() -> String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    /// A TCP port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSetupError("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
