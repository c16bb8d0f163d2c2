import ArgumentParser
import Foundation
import SyncboardApp

/// `syncboard`: one binary, a subcommand per process role.
@main
struct Syncboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncboard",
        abstract: "Keeps Google calendars in step: a web dashboard and scheduler for CalendarSync jobs.",
        discussion: """
            Configuration comes from environment variables (and a .env file in the working directory); \
            see .env.example for every variable and its default.
            """,
        version: SyncboardVersion.current,
        subcommands: [Serve.self, Worker.self, Migrate.self, RunJob.self, RotateKeys.self, CreateToken.self, Backup.self, Restore.self],
        defaultSubcommand: nil
    )
}

/// Runs a command body, turning any error into one readable line on stderr and exit status 1.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
        await TracingSetup.shutdown()  // export the spans still buffered
    } catch let exit as ExitCode {
        await TracingSetup.shutdown()
        throw exit
    } catch {
        await TracingSetup.shutdown()
        FileHandle.standardError.write(Data("syncboard: \(ProcessRunner.describe(error))\n".utf8))
        throw ExitCode(1)
    }
}
