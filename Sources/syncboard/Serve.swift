import ArgumentParser
import SyncboardApp

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the web dashboard, JSON API and OAuth callbacks (and run the scheduler in-process).",
        discussion: """
            Listens on --hostname and --port (defaults 127.0.0.1 and $PORT or 8080). On SQLite the database \
            file is created under SYNCBOARD_DATA_DIR and migrated automatically. Stops on SIGTERM or SIGINT.
            Endpoints for operators: /healthz, /readyz, /metrics.
            """)

    @Option(help: "The address to listen on (0.0.0.0 for all interfaces). Default: SYNCBOARD_HOSTNAME or 127.0.0.1.")
    var hostname: String?

    @Option(help: "The port to listen on; 0 takes any free port, named in the \"Server started on\" log line (set SYNCBOARD_BASE_URL then). Default: PORT or 8080.")
    var port: Int?

    @Flag(help: "Do not run the scheduler in this process (run `syncboard worker` separately).")
    var noScheduler = false

    func validate() throws {
        if let port, !(0...65_535).contains(port) {
            throw ValidationError("--port must be a number from 0 to 65535")
        }
    }

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration { config in
                if let hostname { config.hostname = hostname }
                if let port { config.port = port }
                if noScheduler { config.runsScheduler = false }
            }
            try await ProcessRunner.serve(configuration)
        }
    }
}
