import Foundation
import Yams

/// CalendarSync's auth storage: one entry per calendar id with that calendar's OAuth tokens, in the exact keys
/// Go's yaml.v3 produces (lower-cased field names), then age-encrypted to the run's passphrase.
public struct AuthStorageFile: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public struct OAuth2: Codable, Sendable, Equatable {
            public var accesstoken: String
            public var refreshtoken: String
            /// RFC 3339.
            public var expiry: String
            public var tokentype: String
        }

        public var calendarid: String
        public var oauth2: OAuth2
    }

    public var calendars: [Entry]

    public struct Tokens: Sendable {
        public var accessToken: String
        public var refreshToken: String
        public var expiry: Date

        public init(accessToken: String, refreshToken: String, expiry: Date) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            self.expiry = expiry
        }
    }

    public init(entries: [(calendarID: String, tokens: Tokens)]) {
        calendars = entries.map { calendarID, tokens in
            Entry(calendarid: calendarID, oauth2: .init(
                accesstoken: tokens.accessToken, refreshtoken: tokens.refreshToken,
                expiry: tokens.expiry.formatted(.iso8601), tokentype: "Bearer"))
        }
    }

    public func yaml() throws -> String { try YAMLEncoder().encode(self) }

    /// The YAML, encrypted with age to `passphrase`.
    public func encrypted(passphrase: String, workFactor: Int = 12) throws -> Data {
        try AgeEncryption.encrypt(Data(try yaml().utf8), passphrase: passphrase, workFactor: workFactor)
    }
}
