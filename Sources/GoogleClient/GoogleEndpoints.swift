import Foundation

/// Where Google is. The defaults are Google's own endpoints; every one can be pointed elsewhere (the local
/// emulator in tests and demo mode) by configuration alone.
public struct GoogleEndpoints: Sendable, Equatable {
    public var issuer: URL
    public var authorization: URL
    public var token: URL
    public var revocation: URL
    public var userinfo: URL
    public var jwks: URL
    public var calendarAPI: URL

    public init(issuer: URL, authorization: URL, token: URL, revocation: URL, userinfo: URL, jwks: URL, calendarAPI: URL) {
        self.issuer = issuer
        self.authorization = authorization
        self.token = token
        self.revocation = revocation
        self.userinfo = userinfo
        self.jwks = jwks
        self.calendarAPI = calendarAPI
    }

    public static let google = GoogleEndpoints(
        issuer: URL(string: "https://accounts.google.com")!,
        authorization: URL(string: "https://accounts.google.com/o/oauth2/v2/auth")!,
        token: URL(string: "https://oauth2.googleapis.com/token")!,
        revocation: URL(string: "https://oauth2.googleapis.com/revoke")!,
        userinfo: URL(string: "https://openidconnect.googleapis.com/v1/userinfo")!,
        jwks: URL(string: "https://www.googleapis.com/oauth2/v3/certs")!,
        calendarAPI: URL(string: "https://www.googleapis.com/calendar/v3")!)

    /// Issuers an ID token may name: Google uses both forms of its own.
    public var acceptedIssuers: Set<String> {
        var issuers: Set<String> = [issuer.absoluteString]
        if issuer.host == "accounts.google.com" { issuers.formUnion(["https://accounts.google.com", "accounts.google.com"]) }
        return issuers
    }
}

/// The OAuth client Syncboard is registered as.
public struct OAuthClientCredentials: Sendable {
    public var clientID: String
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }
}

/// The scopes a sync needs: who the user is, and reading and writing calendar events.
public enum GoogleScopes {
    public static let signIn = ["openid", "email", "profile", "https://www.googleapis.com/auth/calendar"]
}
