import ArgumentParser
import Foundation
import SyncboardApp

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent snapshot of the SQLite database, safe while Syncboard runs, to a new private directory.",
        discussion: """
            PATH becomes a directory readable by its owner only, holding the snapshot (syncboard.sqlite), the \
            generated key file that decrypts its tokens (or, with SYNCBOARD_ENCRYPTION_KEYS, a line saying to keep \
            that value with the backup) and manifest.json. With PostgreSQL use pg_dump (see the README).
            """)

    @Argument(help: "A directory to create (or an empty one).") var path: String

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration { $0.logLevel = .warning }
            print(try await BackupCommand.run(configuration, to: URL(fileURLWithPath: path).standardizedFileURL))
        }
    }
}
