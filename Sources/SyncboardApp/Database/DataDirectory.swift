import Foundation

/// The data directory (SQLite database, generated key file): created on first start, readable by its owner only.
enum DataDirectory {
    static func prepare(_ url: URL) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ConfigurationError(variable: "SYNCBOARD_DATA_DIR", expected: "\(url.path) exists and is not a directory")
            }
            return
        }
        do {
            try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(variable: "SYNCBOARD_DATA_DIR", expected: "could not create \(url.path): check that its parent exists and is writable")
        }
    }
}
