import Foundation

/// Limits of the JSON API (documented in `.env.example`).
public struct APISettings: Sendable {
    /// Requests a minute one token or one browser session may make to /api/v1 before it is answered 429.
    public var requestsPerMinute: Int
    /// Failed bearer-token attempts a minute one client address may make before its attempts are answered 429.
    public var failedTokenAttemptsPerMinute: Int

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> APISettings {
        APISettings(
            requestsPerMinute: try AppConfiguration.parseInt(env.string("SYNCBOARD_API_RATE_LIMIT"), variable: "SYNCBOARD_API_RATE_LIMIT",
                                                             default: 600, range: 1...1_000_000),
            failedTokenAttemptsPerMinute: try AppConfiguration.parseInt(env.string("SYNCBOARD_API_FAILED_AUTH_LIMIT"),
                                                                        variable: "SYNCBOARD_API_FAILED_AUTH_LIMIT",
                                                                        default: 20, range: 1...1_000_000))
    }
}
