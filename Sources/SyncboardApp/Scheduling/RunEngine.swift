/// What ran (or refused) a run: recorded on the run (`job_runs.engine`, as the raw value), shown on the dashboard
/// and counted in the metrics' `engine` dimension.
enum RunEngine: String, Codable, Sendable, CaseIterable {
    /// Syncboard's own engine (`BuiltinRunExecutor`).
    case builtin
    /// The inovex/CalendarSync command-line tool (`CalendarSyncRunExecutor`).
    case calendarsync
    /// `SYNCBOARD_ENGINE=noop`: runs nothing and succeeds, for load tests of the scheduler.
    case noop
    /// No engine could take the run (the configured one is missing or refuses the job).
    case none
}

extension RunEngine {
    /// How the run page names the engine.
    var displayName: String {
        switch self {
        case .builtin: "Built-in engine"
        case .calendarsync: "CalendarSync CLI"
        case .noop: "None (noop, for load tests)"
        case .none: "None could take the run"
        }
    }

    /// The stored value's name for people; a value this version does not know is shown as stored.
    static func displayName(stored: String?) -> String {
        guard let stored else { return "—" }
        return RunEngine(rawValue: stored)?.displayName ?? stored
    }
}
