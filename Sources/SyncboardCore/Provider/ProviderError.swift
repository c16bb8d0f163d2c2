/// A calendar service's failure in the few classes the engine and the scheduler act on, whatever the provider;
/// `description` is the provider's own account of it (never a token or a secret).
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The access token was not accepted: refresh it and try once more.
        case unauthorized
        /// The grant behind the refresh token was refused (revoked, expired): the account must be reconnected.
        case grantRefused
        /// Access refused for another reason than the token (a permission, a policy).
        case forbidden
        /// The calendar may be read but not written.
        case writeRefused
        /// Syncboard's own set-up is wrong (the OAuth client, a missing setting).
        case misconfigured
        case notFound
        /// The incremental cursor (a sync token, a delta link, a feed's validator) is no longer valid: list in full.
        case cursorExpired
        /// A conditional write found the event changed since the version it names was read (Google's 412
        /// conditionNotMet, Graph's 412): nothing was written; read it again before deciding.
        case changedSinceRead
        /// Slow down; `retryAfter` seconds when the provider said.
        case rateLimited(retryAfter: Double?)
        /// Worth retrying later (5xx, the network).
        case transient
        /// An answer the client could not use.
        case unexpected
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// Worth retrying later with backoff.
    public var isTransient: Bool {
        switch kind {
        case .rateLimited, .transient: true
        default: false
        }
    }
}
