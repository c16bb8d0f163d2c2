import ArgumentParser
import Foundation
import SyncboardApp

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (idempotent; safe to run from several processes at once).",
        discussion: "Uses DATABASE_URL when set, else the SQLite file under SYNCBOARD_DATA_DIR.")

    @Flag(help: "Revert every migration instead (drops all Syncboard tables and their data).")
    var revertAll = false

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration()
            let message = try await ProcessRunner.migrate(configuration, revertAll: revertAll)
            print(message)
        }
    }
}
