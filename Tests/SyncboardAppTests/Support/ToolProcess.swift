import Foundation

/// Runs a short external tool (pg_dump, promtool, …) to completion without blocking a thread: the tests share a
/// cooperative pool of two threads on a two-core machine, and `waitUntilExit` or a pipe read held one of them for as
/// long as the tool took (seconds, on a loaded machine). Output goes to a temporary file, read once the tool is gone.
enum ToolProcess {
    struct Result {
        let status: Int32
        let output: String
    }

    static func run(_ executable: URL, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> Result {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        do {
            try await eventually(timeout: timeout, every: .milliseconds(20), "\(executable.lastPathComponent) finishes") { !process.isRunning }
        } catch {
            process.terminate()
            throw error
        }
        return Result(status: process.terminationStatus, output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")
    }
}
