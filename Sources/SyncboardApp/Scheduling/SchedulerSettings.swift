import Foundation

/// How the scheduler in this process behaves (from the environment; see .env.example).
public struct SchedulerSettings: Sendable {
    /// How often the scheduler looks for due work.
    public var pollInterval: Duration = .seconds(1)
    /// How long a claimed run stays ours without renewal; a worker that dies loses its runs after this.
    public var leaseDuration: TimeInterval = 60
    /// Runs at once in this process. Built-in runs spend their time waiting for Google, so several at once use the
    /// machine without loading it; each Google account's calls are paced under Google's per-user quota whatever
    /// runs make them (`RequestPacer`), and a job never has two runs.
    public var workerConcurrency: Int = 8
    /// CalendarSync CLI runs at once in this process: each is a child process (and a sandbox), heavier than a
    /// built-in run, so they take turns within the worker's slots.
    public var cliConcurrency: Int = 1
    /// Runs at once across all workers sharing the database (nil: no cap beyond the per-worker one).
    public var globalConcurrency: Int?
    /// Whether two runs may touch the same Google account at the same time. On by default: the account's request
    /// budget keeps it under Google's quota, and with ten accounts taking turns a wave of 200 due jobs could only run
    /// five at a time. Off: an account's runs take turns across every process (CalendarSync CLI runs, which Syncboard
    /// cannot pace, are gentlest that way).
    public var allowConcurrentRunsPerAccount = true
    /// Attempts for a run that fails for a transient reason (the first included).
    public var maxAttempts: Int = 3
    /// The first retry waits this long; each later one twice as long (capped at an hour).
    public var retryBaseDelay: TimeInterval = 60
    /// Runs (and their logs) kept per job; older ones are deleted in the background.
    public var runsKeptPerJob: Int = 200
    /// After SIGTERM/SIGINT, active runs get this long to finish before they are stopped and marked interrupted.
    public var shutdownGracePeriod: Duration = .seconds(30)
    /// After the grace period, how long the runs it stopped get to record that before the process exits anyway.
    public var shutdownRecordTime: Duration = .seconds(5)
    /// The longest recording a run's outcome may take; past it the run is left to lease expiry and recovery.
    public var recordTimeout: Duration = .seconds(30)
    /// The longest a single run may take before it is stopped as timed out.
    public var runTimeout: TimeInterval = 600

    public init() {}

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> SchedulerSettings {
        var settings = SchedulerSettings()
        settings.workerConcurrency = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_WORKER_CONCURRENCY"), variable: "SYNCBOARD_WORKER_CONCURRENCY", default: 8, range: 1...64)
        settings.cliConcurrency = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_CLI_CONCURRENCY"), variable: "SYNCBOARD_CLI_CONCURRENCY", default: 1, range: 1...64)
        if let cap = env.string("SYNCBOARD_GLOBAL_CONCURRENCY") {
            settings.globalConcurrency = try AppConfiguration.parseInt(cap, variable: "SYNCBOARD_GLOBAL_CONCURRENCY", default: 0, range: 1...10_000)
        }
        settings.allowConcurrentRunsPerAccount = try AppConfiguration.parseBool(
            env.string("SYNCBOARD_CONCURRENT_RUNS_PER_ACCOUNT"), variable: "SYNCBOARD_CONCURRENT_RUNS_PER_ACCOUNT", default: true)
        settings.maxAttempts = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_RETRY_ATTEMPTS"), variable: "SYNCBOARD_RETRY_ATTEMPTS", default: 3, range: 1...20)
        settings.retryBaseDelay = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_RETRY_BASE_SECONDS"), variable: "SYNCBOARD_RETRY_BASE_SECONDS", default: 60, range: 1...3600))
        settings.runsKeptPerJob = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_RUNS_KEPT_PER_JOB"), variable: "SYNCBOARD_RUNS_KEPT_PER_JOB", default: 200, range: 1...100_000)
        settings.leaseDuration = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_LEASE_SECONDS"), variable: "SYNCBOARD_LEASE_SECONDS", default: 60, range: 2...3600))
        settings.shutdownGracePeriod = .seconds(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_SHUTDOWN_GRACE_SECONDS"), variable: "SYNCBOARD_SHUTDOWN_GRACE_SECONDS", default: 30, range: 0...3600))
        settings.runTimeout = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_RUN_TIMEOUT_SECONDS"), variable: "SYNCBOARD_RUN_TIMEOUT_SECONDS", default: 600, range: 5...86_400))
        let pollMilliseconds = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_POLL_INTERVAL_MS"), variable: "SYNCBOARD_POLL_INTERVAL_MS", default: 1000, range: 10...60_000)
        settings.pollInterval = .milliseconds(pollMilliseconds)
        return settings
    }

    /// The wait before retry number `attempt` (the second attempt is retry 1).
    func retryDelay(beforeAttempt attempt: Int) -> TimeInterval {
        min(3600, retryBaseDelay * pow(2, Double(max(0, attempt - 2))))
    }
}
