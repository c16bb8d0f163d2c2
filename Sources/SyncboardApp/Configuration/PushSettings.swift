import Foundation

/// How real-time jobs hear about changes (SYNCBOARD_PUSH and friends, see .env.example): Google's push
/// notifications when Syncboard has a public https address (or the operator says so), else incremental checks at
/// an interval.
public struct PushSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Push when SYNCBOARD_BASE_URL is https (Google delivers only there), polling otherwise.
        case auto
        /// Push whatever the base URL (a tunnel, the emulator).
        case on
        /// Never push: real-time jobs poll.
        case off
    }

    public var mode: Mode = .auto
    /// Without push: how often a real-time job checks its source (an incremental run, one API call when quiet).
    public var pollInterval: TimeInterval = 60
    /// With push: how often a real-time job checks anyway, in case a notification was lost.
    public var safetyPollInterval: TimeInterval = 900
    /// Notifications for one calendar within this long start one run per job.
    public var debounce: Duration = .seconds(1)
    /// The lifetime asked for a channel (Google caps it at a week); channels are renewed when a quarter is left.
    public var channelLifetime: TimeInterval = 604_800
    /// The lifetime asked for a Microsoft Graph subscription (SYNCBOARD_MICROSOFT_SUBSCRIPTION_MINUTES). Microsoft's
    /// pages disagree on the maximum for events (10,080 minutes in resources/subscription.md, 4,230 in older pages):
    /// 4,200 minutes is under both. Renewed by PATCH when a quarter is left.
    public var microsoftSubscriptionLifetime: TimeInterval = 4_200 * 60
    /// How often each process looks after the channels (open, renew, stop).
    public var checkInterval: TimeInterval = 30

    public init() {}

    /// Whether push is used with this public base URL.
    public func isEnabled(baseURL: URL) -> Bool {
        switch mode {
        case .on: true
        case .off: false
        case .auto: baseURL.scheme?.lowercased() == "https"
        }
    }

    /// How long a process keeps a channel it looks after without touching it again; then another may take it over.
    public var leaseDuration: TimeInterval { max(3 * checkInterval, 10) }

    /// Renew when less than this is left of a channel's life.
    public func renewalMargin(lifetime: TimeInterval) -> TimeInterval { max(lifetime / 4, 2 * checkInterval) }

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> PushSettings {
        var settings = PushSettings()
        settings.mode = try AppConfiguration.parseEnum(env.string("SYNCBOARD_PUSH"), variable: "SYNCBOARD_PUSH", default: .auto)
        settings.pollInterval = TimeInterval(try AppConfiguration.parseInt(env.string("SYNCBOARD_REALTIME_POLL_SECONDS"),
                                                                            variable: "SYNCBOARD_REALTIME_POLL_SECONDS", default: 60, range: 1...3600))
        settings.safetyPollInterval = TimeInterval(try AppConfiguration.parseInt(env.string("SYNCBOARD_PUSH_SAFETY_POLL_SECONDS"),
                                                                                  variable: "SYNCBOARD_PUSH_SAFETY_POLL_SECONDS", default: 900, range: 1...86_400))
        settings.debounce = .milliseconds(try AppConfiguration.parseInt(env.string("SYNCBOARD_PUSH_DEBOUNCE_MS"), variable: "SYNCBOARD_PUSH_DEBOUNCE_MS",
                                                                        default: 1000, range: 0...60_000))
        settings.channelLifetime = TimeInterval(try AppConfiguration.parseInt(env.string("SYNCBOARD_PUSH_CHANNEL_TTL_SECONDS"),
                                                                               variable: "SYNCBOARD_PUSH_CHANNEL_TTL_SECONDS", default: 604_800, range: 10...604_800))
        settings.microsoftSubscriptionLifetime = 60 * TimeInterval(try AppConfiguration.parseInt(
            env.string("SYNCBOARD_MICROSOFT_SUBSCRIPTION_MINUTES"), variable: "SYNCBOARD_MICROSOFT_SUBSCRIPTION_MINUTES", default: 4_200, range: 2...10_079))
        settings.checkInterval = TimeInterval(try AppConfiguration.parseInt(env.string("SYNCBOARD_PUSH_CHECK_SECONDS"),
                                                                             variable: "SYNCBOARD_PUSH_CHECK_SECONDS", default: 30, range: 1...3600))
        return settings
    }
}

extension AppConfiguration {
    /// Whether real-time jobs are told of changes by Google's push notifications in this installation.
    public var usesPush: Bool { push.isEnabled(baseURL: baseURL) }

    /// How often a real-time job runs when nothing tells it to: the polling interval, or with push the safety net.
    public var realtimeInterval: TimeInterval { usesPush ? push.safetyPollInterval : push.pollInterval }

    /// Where Google delivers notifications (`NotificationsController`).
    public var notificationAddress: String {
        baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + NotificationsController.path
    }
}
