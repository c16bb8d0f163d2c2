import ArgumentParser
import Foundation
import SyncboardApp

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup made by `syncboard backup` into the SQLite database (stop Syncboard first).",
        discussion: """
            Checks the snapshot (SQLite's integrity check, migrations not newer than this binary, a key that reads \
            its tokens) before changing anything. Refuses to replace a database that holds data unless --force.
            """)

    @Argument(help: "The backup directory.") var path: String
    @Flag(help: "Replace a database that already holds data.") var force = false

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration { $0.logLevel = .warning }
            print(try await RestoreCommand.run(configuration, from: URL(fileURLWithPath: path).standardizedFileURL, force: force))
        }
    }
}
