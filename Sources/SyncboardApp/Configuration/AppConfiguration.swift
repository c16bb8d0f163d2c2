import Foundation
import Logging

/// Everything Syncboard reads from its environment, parsed and checked before anything listens.
///
/// Every variable is documented, with its default, in `.env.example`; the defaults let `syncboard serve` start on a
/// fresh machine. `load(from:)` throws a `ConfigurationError` (one line, naming the variable) for the first bad value.
public struct AppConfiguration: Sendable {
    public var hostname: String
    public var port: Int
    /// SYNCBOARD_BASE_URL: the public address people and Google's redirects use (set it behind a proxy).
    public var explicitBaseURL: URL?
    /// The public base URL: SYNCBOARD_BASE_URL, else derived from the address the server listens on.
    public var baseURL: URL {
        explicitBaseURL ?? URL(string: "http://\(hostname == "0.0.0.0" ? "localhost" : hostname):\(port)")!
    }
    /// SYNCBOARD_TRUSTED_PROXIES: peers whose `X-Forwarded-For` / `Forwarded` headers are believed (`ClientAddress`).
    /// Empty by default: the TCP peer is the client.
    public var trustedProxies: [CIDR] = []
    public var dataDirectory: URL
    public var database: DatabaseConfiguration
    /// Nil on SQLite when no key is configured: a key is then generated into the data directory on first start.
    public var encryptionKeys: EncryptionKeyring?
    public var google: GoogleSettings
    /// Microsoft 365 / Outlook accounts (issue 28): the app registration and Microsoft's endpoints.
    public var microsoft: MicrosoftSettings = MicrosoftSettings()
    public var engine: EngineChoice
    public var calendarSyncBinary: String?
    /// Whether the CalendarSync CLI runs in a bubblewrap sandbox.
    public var sandbox: SandboxSettings
    /// Built-in engine: the longest a job goes on incrementally before a full reconciliation of both calendars.
    public var fullSyncInterval: TimeInterval = 86_400
    /// Real-time jobs: push notifications or incremental polling (`PushSettings`).
    public var push: PushSettings = PushSettings()
    /// With SYNCBOARD_ENGINE=noop: how long each run pretends to work.
    public var noopRunDelay: Duration
    /// Where run workspaces are created (each run gets a private 0700 directory inside, removed afterwards).
    public var runDirectory: URL
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Whether `serve` and `worker` apply pending migrations themselves (default: on SQLite only).
    public var autoMigrate: Bool
    /// Whether `serve` also runs the scheduler in-process.
    public var runsScheduler: Bool
    /// How the scheduler claims and runs jobs.
    public var scheduler: SchedulerSettings
    /// Whether page views are counted (locally, in telemetry_events).
    public var recordsPageViews: Bool
    /// Demo mode: pages say that Google is simulated (set by `syncboard demo`).
    public var isDemo: Bool
    /// A session ends after this long without a request…
    public var sessionIdleTimeout: TimeInterval
    /// …and at the latest this long after sign-in.
    public var sessionLifetime: TimeInterval
    /// Rate limits of the JSON API.
    public var api: APISettings
    /// Notifications: SMTP, webhooks, the outbox (`DeliverySettings`).
    public var delivery: DeliverySettings = DeliverySettings()
    /// Published calendars (issue 29) on loopback, private, link-local or metadata addresses, and plain http://, are
    /// refused unless allowed (SYNCBOARD_FEEDS_ALLOW_PRIVATE; the same rules as webhooks).
    public var allowPrivateFeeds = false

    public enum EngineChoice: String, Sendable, CaseIterable {
        case auto, calendarsync, builtin
        /// Runs nothing and succeeds: for measuring and testing the scheduler alone.
        case noop
    }

    public enum LogFormat: String, Sendable, CaseIterable {
        /// JSON lines when the output is not a terminal, readable text when it is.
        case auto, json, text
    }

    public static let defaultPort = 8080
    public static let defaultHostname = "127.0.0.1"

    public static func load(from env: EnvironmentReader) throws(ConfigurationError) -> AppConfiguration {
        let port = try parsePort(env.string("PORT"))
        let hostname = env.string("SYNCBOARD_HOSTNAME") ?? defaultHostname

        let dataDirectory = URL(fileURLWithPath: env.string("SYNCBOARD_DATA_DIR") ?? "./data").standardizedFileURL

        let database: DatabaseConfiguration
        if let url = env.string("DATABASE_URL") {
            database = try DatabaseConfiguration.postgres(url: url)
        } else {
            database = .sqlite(path: dataDirectory.appendingPathComponent("syncboard.sqlite").path)
        }

        var keys: EncryptionKeyring?
        if let value = env.string(EncryptionKeyring.variable) {
            keys = try EncryptionKeyring.parse(value)
        } else if database.isPostgres {
            throw ConfigurationError(
                variable: EncryptionKeyring.variable,
                expected: "required with PostgreSQL (DATABASE_URL is set); \(EncryptionKeyring.expected)")
        }

        let baseURL = try env.string("SYNCBOARD_BASE_URL").map { url throws(ConfigurationError) in
            try parseURL(url, variable: "SYNCBOARD_BASE_URL")
        }

        return AppConfiguration(
            hostname: hostname,
            port: port,
            explicitBaseURL: baseURL,
            trustedProxies: try parseCIDRList(env.string("SYNCBOARD_TRUSTED_PROXIES"), variable: "SYNCBOARD_TRUSTED_PROXIES"),
            dataDirectory: dataDirectory,
            database: database,
            encryptionKeys: keys,
            google: try GoogleSettings.load(from: env),
            microsoft: try MicrosoftSettings.load(from: env),
            engine: try parseEnum(env.string("SYNCBOARD_ENGINE"), variable: "SYNCBOARD_ENGINE", default: .auto),
            calendarSyncBinary: env.string("CALENDARSYNC_BIN"),
            sandbox: try SandboxSettings.load(from: env),
            fullSyncInterval: TimeInterval(try parseInt(env.string("SYNCBOARD_FULL_SYNC_INTERVAL_HOURS"), variable: "SYNCBOARD_FULL_SYNC_INTERVAL_HOURS",
                                                        default: 24, range: 1...720) * 3600),
            push: try PushSettings.load(from: env),
            noopRunDelay: .milliseconds(try parseInt(env.string("SYNCBOARD_NOOP_DELAY_MS"), variable: "SYNCBOARD_NOOP_DELAY_MS",
                                                     default: 0, range: 0...600_000)),
            runDirectory: URL(fileURLWithPath: env.string("SYNCBOARD_RUN_DIR") ?? NSTemporaryDirectory()),
            logLevel: try parseLogLevel(env.string("SYNCBOARD_LOG_LEVEL")),
            logFormat: try parseEnum(env.string("SYNCBOARD_LOG_FORMAT"), variable: "SYNCBOARD_LOG_FORMAT", default: .auto),
            autoMigrate: try parseBool(env.string("SYNCBOARD_AUTO_MIGRATE"), variable: "SYNCBOARD_AUTO_MIGRATE",
                                       default: !database.isPostgres),
            runsScheduler: try parseBool(env.string("SYNCBOARD_SCHEDULER"), variable: "SYNCBOARD_SCHEDULER", default: true),
            scheduler: try SchedulerSettings.load(from: env),
            recordsPageViews: try parseBool(env.string("SYNCBOARD_TELEMETRY_PAGE_VIEWS"), variable: "SYNCBOARD_TELEMETRY_PAGE_VIEWS", default: true),
            isDemo: try parseBool(env.string("SYNCBOARD_DEMO"), variable: "SYNCBOARD_DEMO", default: false),
            sessionIdleTimeout: TimeInterval(try parseInt(env.string("SYNCBOARD_SESSION_IDLE_HOURS"), variable: "SYNCBOARD_SESSION_IDLE_HOURS",
                                                          default: 72, range: 1...8760) * 3600),
            sessionLifetime: TimeInterval(try parseInt(env.string("SYNCBOARD_SESSION_MAX_DAYS"), variable: "SYNCBOARD_SESSION_MAX_DAYS",
                                                       default: 30, range: 1...365) * 86400),
            api: try APISettings.load(from: env),
            delivery: try DeliverySettings.load(from: env),
            allowPrivateFeeds: try parseBool(env.string("SYNCBOARD_FEEDS_ALLOW_PRIVATE"), variable: "SYNCBOARD_FEEDS_ALLOW_PRIVATE", default: false)
        )
    }

    // MARK: - Parsing helpers (shared by the settings groups)

    static func parsePort(_ value: String?, variable: String = "PORT") throws(ConfigurationError) -> Int {
        guard let value else { return defaultPort }
        guard let port = Int(value), (1...65_535).contains(port) else {
            throw ConfigurationError(variable: variable, expected: "expected a port number from 1 to 65535")
        }
        return port
    }

    static func parseURL(_ value: String, variable: String) throws(ConfigurationError) -> URL {
        guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme),
              url.host != nil, url.query == nil, url.fragment == nil
        else {
            throw ConfigurationError(variable: variable, expected: "expected an absolute http:// or https:// URL without query")
        }
        return url
    }

    /// A comma-separated list of CIDRs (`127.0.0.1/32,10.0.0.0/8,::1/128`); the error names the entry's position,
    /// not its text, like every configuration error.
    static func parseCIDRList(_ value: String?, variable: String) throws(ConfigurationError) -> [CIDR] {
        guard let value else { return [] }
        var blocks: [CIDR] = []
        for (index, entry) in value.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }  // a trailing comma
            guard let block = CIDR(entry) else {
                throw ConfigurationError(variable: variable, expected: "entry \(index + 1) is not an IPv4 or IPv6 CIDR; expected a comma-separated list such as 127.0.0.1/32,10.0.0.0/8,::1/128")
            }
            blocks.append(block)
        }
        return blocks
    }

    static func parseBool(_ value: String?, variable: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let value else { return defaultValue }
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: variable, expected: "expected true or false")
        }
    }

    static func parseInt(_ value: String?, variable: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value else { return defaultValue }
        guard let number = Int(value), range.contains(number) else {
            throw ConfigurationError(variable: variable, expected: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func parseEnum<T: RawRepresentable & CaseIterable>(_ value: String?, variable: String, default defaultValue: T) throws(ConfigurationError) -> T where T.RawValue == String {
        guard let value else { return defaultValue }
        guard let parsed = T(rawValue: value.lowercased()) else {
            let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: variable, expected: "expected one of: \(choices)")
        }
        return parsed
    }

    static func parseLogLevel(_ value: String?) throws(ConfigurationError) -> Logger.Level {
        guard let value else { return .info }
        guard let level = Logger.Level(rawValue: value.lowercased()) else {
            let choices = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: "SYNCBOARD_LOG_LEVEL", expected: "expected one of: \(choices)")
        }
        return level
    }
}
