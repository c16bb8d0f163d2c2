import ArgumentParser
import Foundation
import SyncboardApp

struct RunJob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-job",
        abstract: "Run one job now, in this process, and print its log (for operators).",
        discussion: "The run is recorded like any other and shows on the dashboard. Exits 0 when the run succeeded, 1 otherwise.")

    @Argument(help: "The job's id (shown in its page's address, /jobs/<id>).")
    var jobID: String

    @Option(help: "sync, dry-run (writes nothing) or clean (removes the events the job created in its window).")
    var mode: String = "sync"

    func validate() throws {
        guard UUID(uuidString: jobID) != nil else { throw ValidationError("the job id must be a UUID like 3F2504E0-4F89-11D3-9A0C-0305E82C3301") }
        guard ["sync", "dry-run", "clean"].contains(mode) else { throw ValidationError("--mode must be sync, dry-run or clean") }
    }

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration { $0.logLevel = .warning }
            let succeeded = try await ProcessRunner.runJob(configuration, jobID: UUID(uuidString: jobID)!, mode: mode)
            if !succeeded { throw ExitCode(1) }
        }
    }
}
