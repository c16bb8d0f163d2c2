import Foundation

/// How this server delivers notifications (from the environment; see .env.example).
public struct DeliverySettings: Sendable {
    /// Outgoing mail (nil: SYNCBOARD_SMTP_URL is unset, and email messages fail with a sentence saying so).
    public var smtp: SMTPSettings?
    /// Webhook endpoints on loopback, private or link-local addresses, and plain http://, are refused unless allowed.
    public var allowPrivateWebhooks = false
    /// The longest one webhook request may take.
    public var webhookTimeout: TimeInterval = 10
    /// How often a worker looks for messages that are due.
    public var pollInterval: Duration = .seconds(2)
    /// How long a claimed message stays this worker's; a worker that dies loses its messages after this.
    public var leaseDuration: TimeInterval = 120
    /// The first retry waits this long, each later one twice as long (capped at six hours).
    public var retryBaseDelay: TimeInterval = 30
    /// Attempts before a message is given up (shown as failed to its user).
    public var maxAttempts = 10
    /// How often each linked account is checked on its own (a token refresh), whether or not a job ran.
    public var accountCheckInterval: TimeInterval = 86_400

    public init() {}

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> DeliverySettings {
        var settings = DeliverySettings()
        if let url = env.string("SYNCBOARD_SMTP_URL") {
            settings.smtp = try SMTPSettings.parse(
                url: url, from: env.string("SYNCBOARD_SMTP_FROM"),
                allowPlaintext: try AppConfiguration.parseBool(env.string("SYNCBOARD_SMTP_ALLOW_PLAINTEXT"),
                                                               variable: "SYNCBOARD_SMTP_ALLOW_PLAINTEXT", default: false),
                caFile: env.string("SYNCBOARD_SMTP_CA_FILE"),
                timeout: TimeInterval(try AppConfiguration.parseInt(env.string("SYNCBOARD_SMTP_TIMEOUT_SECONDS"),
                                                                    variable: "SYNCBOARD_SMTP_TIMEOUT_SECONDS", default: 30, range: 1...600)))
        }
        settings.allowPrivateWebhooks = try AppConfiguration.parseBool(
            env.string("SYNCBOARD_WEBHOOK_ALLOW_PRIVATE"), variable: "SYNCBOARD_WEBHOOK_ALLOW_PRIVATE", default: false)
        settings.webhookTimeout = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_WEBHOOK_TIMEOUT_SECONDS"), variable: "SYNCBOARD_WEBHOOK_TIMEOUT_SECONDS", default: 10, range: 1...60))
        settings.leaseDuration = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_OUTBOX_LEASE_SECONDS"), variable: "SYNCBOARD_OUTBOX_LEASE_SECONDS", default: 120, range: 2...3600))
        settings.retryBaseDelay = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_OUTBOX_RETRY_BASE_SECONDS"), variable: "SYNCBOARD_OUTBOX_RETRY_BASE_SECONDS", default: 30, range: 1...3600))
        settings.maxAttempts = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_OUTBOX_MAX_ATTEMPTS"), variable: "SYNCBOARD_OUTBOX_MAX_ATTEMPTS", default: 10, range: 1...50)
        settings.pollInterval = .milliseconds(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_OUTBOX_POLL_MS"), variable: "SYNCBOARD_OUTBOX_POLL_MS", default: 2000, range: 10...60_000))
        settings.accountCheckInterval = TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_ACCOUNT_CHECK_HOURS"), variable: "SYNCBOARD_ACCOUNT_CHECK_HOURS", default: 24, range: 1...24)) * 3600
        return settings
    }

    /// The wait before the next attempt after `attempts` failed ones.
    func retryDelay(afterAttempts attempts: Int) -> TimeInterval {
        min(6 * 3600, retryBaseDelay * pow(2, Double(max(0, attempts - 1))))
    }
}
