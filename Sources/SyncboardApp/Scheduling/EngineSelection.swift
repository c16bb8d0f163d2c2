import Foundation

/// Picks what runs a job (SYNCBOARD_ENGINE): the CalendarSync CLI when its binary is found, the built-in engine,
/// or the no-op engine for scheduler measurements.
enum EngineSelection {
    static func executor(for configuration: AppConfiguration) -> any RunExecutor {
        switch configuration.engine {
        case .noop:
            return NoopRunExecutor(delay: configuration.noopRunDelay)
        case .auto, .calendarsync, .builtin:
            return UnavailableEngineExecutor(reason: unavailableReason(configuration))
        }
    }

    static func unavailableReason(_ configuration: AppConfiguration) -> String {
        let binary = configuration.calendarSyncBinary ?? "calendarsync on PATH"
        return "No sync engine can run this job: this build of Syncboard cannot run \(binary) yet and has no built-in engine. Set SYNCBOARD_ENGINE=noop only to exercise the scheduler."
    }
}

/// Ends every run as failed with a configuration error that says why no engine is available, so the dashboard
/// shows the cause instead of runs that never start.
struct UnavailableEngineExecutor: RunExecutor {
    let reason: String

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        await log.append(reason, stream: .syncboard)
        return .failed(engine: "none", reason, class: .configuration)
    }
}
