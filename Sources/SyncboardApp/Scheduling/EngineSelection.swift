import Fluent
import Foundation
import SyncEngines

/// Picks what runs a job (SYNCBOARD_ENGINE): the CalendarSync CLI (auto: when its binary is found, except for jobs
/// that need the built-in engine), the built-in engine (auto: otherwise), or the no-op engine for scheduler measurements. Each run records which one ran.
enum EngineSelection {
    static func executor(for configuration: AppConfiguration, db: any Database, vault: TokenVault, google: GoogleServices?,
                         microsoft: MicrosoftServices? = nil, feeds: FeedServices? = nil) -> any RunExecutor {
        let binary = CalendarSyncProcess.locate(configured: configuration.calendarSyncBinary, path: ProcessInfo.processInfo.environment["PATH"])
        // One gate for the process: CLI runs take turns within the scheduler's slots (SYNCBOARD_CLI_CONCURRENCY).
        let cliGate = ConcurrencyGate(limit: configuration.scheduler.cliConcurrency)
        switch configuration.engine {
        case .noop:
            return NoopRunExecutor(delay: configuration.noopRunDelay)
        case .calendarsync:
            guard let binary else { return UnavailableEngineExecutor(reason: unavailableReason(configuration)) }
            return RoutingRunExecutor(db: db, cli: CalendarSyncRunExecutor(db: db, configuration: configuration, vault: vault, google: google, binary: binary, gate: cliGate),
                                      builtin: nil)
        case .auto:
            // Per job: the CLI, unless the job's rules need the built-in engine (`EngineRouting`).
            if let binary {
                return RoutingRunExecutor(db: db, cli: CalendarSyncRunExecutor(db: db, configuration: configuration, vault: vault, google: google, binary: binary, gate: cliGate),
                                          builtin: BuiltinRunExecutor(db: db, configuration: configuration, vault: vault, google: google, microsoft: microsoft, feeds: feeds))
            }
            return BuiltinRunExecutor(db: db, configuration: configuration, vault: vault, google: google, microsoft: microsoft, feeds: feeds)
        case .builtin:
            return BuiltinRunExecutor(db: db, configuration: configuration, vault: vault, google: google, microsoft: microsoft, feeds: feeds)
        }
    }

    static func unavailableReason(_ configuration: AppConfiguration) -> String {
        let binary = configuration.calendarSyncBinary.map { "CALENDARSYNC_BIN (\($0)) is not an executable file" } ?? "no calendarsync binary was found on PATH"
        return "SYNCBOARD_ENGINE=calendarsync, but \(binary). Install CalendarSync (the Docker image includes it), set CALENDARSYNC_BIN, or use SYNCBOARD_ENGINE=auto or builtin."
    }
}

/// Ends every run as failed with a configuration error that says why no engine is available, so the dashboard
/// shows the cause instead of runs that never start.
struct UnavailableEngineExecutor: RunExecutor {
    let reason: String

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        await log.append(reason, stream: .syncboard)
        return .failed(engine: .none, reason, class: .configuration)
    }
}
