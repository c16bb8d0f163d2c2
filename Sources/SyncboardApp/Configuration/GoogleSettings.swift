import Foundation

/// The OAuth client and Google's endpoints. Google's real URLs are the defaults; each can be pointed elsewhere
/// (the Google emulator in tests and demo mode) by configuration alone.
public struct GoogleSettings: Sendable {
    public var clientID: String?
    public var clientSecret: String?
    public var issuer: URL
    public var authorizationURL: URL
    public var tokenURL: URL
    public var revocationURL: URL
    public var userinfoURL: URL
    public var jwksURL: URL
    public var calendarAPIURL: URL
    /// Calendar API calls a minute per Google account (SYNCBOARD_GOOGLE_REQUESTS_PER_MINUTE), under Google's quota of
    /// 600 per user (`RequestPacer`).
    public var requestsPerMinutePerAccount = 480

    /// Whether sign-in can work: a client id and secret are configured.
    public var isConfigured: Bool { clientID != nil && clientSecret != nil }

    static let defaults: [(variable: String, url: String)] = [
        ("SYNCBOARD_GOOGLE_ISSUER", "https://accounts.google.com"),
        ("SYNCBOARD_GOOGLE_AUTHORIZATION_URL", "https://accounts.google.com/o/oauth2/v2/auth"),
        ("SYNCBOARD_GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token"),
        ("SYNCBOARD_GOOGLE_REVOCATION_URL", "https://oauth2.googleapis.com/revoke"),
        ("SYNCBOARD_GOOGLE_USERINFO_URL", "https://openidconnect.googleapis.com/v1/userinfo"),
        ("SYNCBOARD_GOOGLE_JWKS_URL", "https://www.googleapis.com/oauth2/v3/certs"),
        ("SYNCBOARD_GOOGLE_CALENDAR_API_URL", "https://www.googleapis.com/calendar/v3"),
    ]

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> GoogleSettings {
        let clientID = env.string("GOOGLE_CLIENT_ID")
        let clientSecret = env.string("GOOGLE_CLIENT_SECRET")
        if clientID != nil, clientSecret == nil {
            throw ConfigurationError(variable: "GOOGLE_CLIENT_SECRET", expected: "required when GOOGLE_CLIENT_ID is set (the OAuth client's secret)")
        }
        if clientSecret != nil, clientID == nil {
            throw ConfigurationError(variable: "GOOGLE_CLIENT_ID", expected: "required when GOOGLE_CLIENT_SECRET is set (the OAuth client id)")
        }
        var urls: [URL] = []
        for (variable, fallback) in defaults {
            urls.append(try AppConfiguration.parseURL(env.string(variable) ?? fallback, variable: variable))
        }
        var settings = GoogleSettings(
            clientID: clientID, clientSecret: clientSecret,
            issuer: urls[0], authorizationURL: urls[1], tokenURL: urls[2], revocationURL: urls[3],
            userinfoURL: urls[4], jwksURL: urls[5], calendarAPIURL: urls[6])
        settings.requestsPerMinutePerAccount = try AppConfiguration.parseInt(
            env.string("SYNCBOARD_GOOGLE_REQUESTS_PER_MINUTE"), variable: "SYNCBOARD_GOOGLE_REQUESTS_PER_MINUTE", default: 480, range: 1...100_000)
        return settings
    }
}
