import SyncboardCore

extension GoogleError {
    /// The provider-neutral class of this failure, with Google's own description.
    public var providerError: ProviderError {
        let kind: ProviderError.Kind = switch self {
        case .invalidGrant: .grantRefused
        case .invalidClient: .misconfigured
        case .unauthorized: .unauthorized
        // The calendar is shared read-only with the account (Google's "requiredAccessLevel").
        case .forbidden(reason: "requiredAccessLevel"): .writeRefused
        case .forbidden: .forbidden
        case .rateLimited: .rateLimited(retryAfter: nil)
        case .notFound: .notFound
        // Google answers 410 for a sync token it no longer honours (fullSyncRequired).
        case .gone: .cursorExpired
        // An If-Match write of a copy changed in the destination since the engine read it.
        case .conditionNotMet: .changedSinceRead
        case .server, .network: .transient
        case .oauth, .unexpected: .unexpected
        }
        return ProviderError(kind, description)
    }
}
