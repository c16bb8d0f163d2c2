import Foundation
@testable import SyncboardApp

/// Sandbox settings for runs of the Python stand-in: the interpreter on PATH (and PyYAML and pyrage with it) must
/// be visible inside. A Debian python3 lives in /usr, which the sandbox shows anyway; a pyenv python lives under
/// the home directory, so its root (and only that) is added as a read-only path.
enum TestSandbox {
    static let interpreterPaths: [String] = {
        let manager = FileManager.default
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let python = path.split(separator: ":").map({ "\($0)/python3" }).first(where: manager.isExecutableFile) else { return [] }
        var paths: [String] = []
        let directory = URL(fileURLWithPath: python).deletingLastPathComponent()
        if directory.lastPathComponent == "shims", manager.fileExists(atPath: directory.deletingLastPathComponent().appendingPathComponent("libexec/pyenv").path) {
            paths.append(directory.deletingLastPathComponent().path)  // a pyenv shim runs pyenv, which needs its whole root
        }
        // The interpreter's own prefixes (a virtualenv, or a python outside /usr).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import os, sys; print(os.path.realpath(sys.prefix)); print(os.path.realpath(sys.base_prefix))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            for prefix in text.split(separator: "\n").map(String.init)
            where !prefix.hasPrefix("/usr") && !paths.contains(where: { prefix == $0 || prefix.hasPrefix($0 + "/") }) && !paths.contains(prefix) {
                paths.append(prefix)
            }
        }
        return paths
    }()

    /// The sandbox as runs of the stand-in use it (SYNCBOARD_SANDBOX=auto plus the interpreter).
    static func settings(_ mode: SandboxSettings.Mode = .auto, bwrap: String? = nil, extra: [String] = []) -> SandboxSettings {
        SandboxSettings(mode: mode, bwrap: bwrap, readOnlyPaths: interpreterPaths + extra)
    }
}
