import Foundation

/// A private directory for one run (mode 0700, files 0600), removed when the run ends, whatever happens.
public struct RunWorkspace: Sendable {
    public let url: URL

    /// Creates a workspace under `base`, runs `body`, and removes the workspace afterwards.
    public static func with<T>(base: URL, _ body: (RunWorkspace) async throws -> T) async throws -> T {
        let url = base.appendingPathComponent("syncboard-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(RunWorkspace(url: url))
    }

    /// Writes a file readable by its owner only (created with 0600: never briefly readable by others).
    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        return file
    }
}
