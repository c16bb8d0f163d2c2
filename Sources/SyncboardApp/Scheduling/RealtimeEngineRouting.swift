import Fluent
import Foundation

/// Real-time jobs need incremental runs, which only the built-in engine has: where the CalendarSync CLI runs jobs,
/// this sends real-time jobs to the built-in engine (SYNCBOARD_ENGINE=auto) or ends their runs with a configuration
/// error that says why (SYNCBOARD_ENGINE=calendarsync).
struct RealtimeEngineRouting: RunExecutor {
    let db: any Database
    let cli: any RunExecutor
    /// Nil when the operator chose the CLI for every job.
    let builtin: (any RunExecutor)?

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        guard let job = try? await SyncJob.find(run.jobID, on: db), job.cadence.isRealtime else {
            return await cli.execute(run, log: log)
        }
        guard let builtin else {
            let message = "Real-time jobs run with the built-in engine, but SYNCBOARD_ENGINE=calendarsync. Choose another schedule, or set SYNCBOARD_ENGINE=auto."
            await log.append(message, stream: .syncboard)
            return .failed(engine: "calendarsync", message, class: .configuration)
        }
        return await builtin.execute(run, log: log)
    }
}

extension RealtimeEngineRouting {
    /// The installation's executor, with real-time jobs routed as above where jobs may run on the CLI.
    static func wrap(_ executor: any RunExecutor, configuration: AppConfiguration, db: any Database, vault: TokenVault,
                     google: GoogleServices?) -> any RunExecutor {
        guard !(executor is BuiltinRunExecutor), !(executor is UnavailableEngineExecutor) else { return executor }
        switch configuration.engine {
        case .auto:
            return RealtimeEngineRouting(db: db, cli: executor, builtin: BuiltinRunExecutor(db: db, configuration: configuration, vault: vault, google: google))
        case .calendarsync:
            return RealtimeEngineRouting(db: db, cli: executor, builtin: nil)
        case .builtin, .noop:
            return executor
        }
    }
}
