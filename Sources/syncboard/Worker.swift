import ArgumentParser
import SyncboardApp

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the scheduler and executor only (no web server); any number may share one PostgreSQL.",
        discussion: "Claims due sync jobs and runs them. Stops cleanly on SIGTERM or SIGINT.")

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration()
            try await ProcessRunner.worker(configuration)
        }
    }
}
