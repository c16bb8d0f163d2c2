import Foundation
import SyncboardCore

/// Which feed addresses Syncboard fetches: the same rules as webhooks (`NetworkAddress`, in the core). A host
/// that resolves to a loopback, private, link-local, carrier-grade NAT or metadata address is refused unless the
/// operator allows private addresses (the app sets `allowPrivate` from SYNCBOARD_FEEDS_ALLOW_PRIVATE); plain
/// http:// only when `allowHTTP`. Checked before the first request and before following each redirect.
///
/// Limit: the check resolves the name, then the HTTP client resolves it again when it connects; a name whose DNS
/// answer changes between the two (rebinding) is not caught. The same holds for webhooks.
public struct FeedAddressPolicy: Sendable {
    public var allowPrivate: Bool
    public var allowHTTP: Bool
    /// Host name to addresses; tests give names of their own (with the fetcher's `dnsOverride`).
    public var resolve: @Sendable (String) async -> [String]

    public init(allowPrivate: Bool = false, allowHTTP: Bool? = nil,
                resolve: @escaping @Sendable (String) async -> [String] = { await NetworkAddress.resolve($0) }) {
        self.allowPrivate = allowPrivate
        self.allowHTTP = allowHTTP ?? allowPrivate
        self.resolve = resolve
    }

    /// Throws when Syncboard must not request `url`.
    public func check(_ url: URL) async throws(FeedError) {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .invalidAddress("Enter the feed's full address, starting with https:// or webcal://")
        }
        guard scheme == "https" || (scheme == "http" && allowHTTP) else {
            throw .invalidAddress(scheme == "http"
                ? "Only https:// (or webcal://) feed addresses are allowed: a calendar must not travel unencrypted"
                : "A feed address starts with https:// or webcal://, not \(scheme)://")
        }
        if allowPrivate { return }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let addresses = await resolve(bare)
        guard !addresses.isEmpty else { throw .unresolvable(host: host) }
        if let blocked = addresses.first(where: NetworkAddress.isNonPublic) {
            throw .privateAddress(host: host, address: blocked)
        }
    }
}
