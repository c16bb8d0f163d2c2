import Foundation
import SyncboardCore

/// Which webhook URLs Syncboard will call: https:// to public addresses only. Loopback, private, link-local,
/// carrier-grade NAT, multicast and reserved addresses (and plain http://) are refused unless the operator allows
/// them (SYNCBOARD_WEBHOOK_ALLOW_PRIVATE), so a user cannot make the server call into its own network.
/// Checked when an endpoint is added and again before every delivery (a name may resolve elsewhere later).
struct WebhookAddressPolicy: Sendable {
    let allowPrivate: Bool

    struct Refusal: Error, CustomStringConvertible, Equatable {
        let description: String
    }

    func check(_ text: String) async throws(Refusal) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw Refusal(description: "Enter a full URL starting with https://")
        }
        guard url.user == nil, url.password == nil else {
            throw Refusal(description: "The URL must not contain a user name or password")
        }
        guard scheme == "https" || (scheme == "http" && allowPrivate) else {
            throw Refusal(description: "Only https:// URLs are allowed: notifications are signed, but their content must not travel unencrypted")
        }
        if allowPrivate { return url }
        let addresses = await Self.resolve(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        guard !addresses.isEmpty else { throw Refusal(description: "\(host) does not resolve to an address") }
        if let blocked = addresses.first(where: Self.isNonPublic) {
            throw Refusal(description: "\(host) resolves to \(blocked), a loopback, private or link-local address; Syncboard only calls public addresses (the operator can allow private ones with SYNCBOARD_WEBHOOK_ALLOW_PRIVATE)")
        }
        return url
    }

    /// The addresses a host name resolves to (numeric hosts as themselves).
    static func resolve(_ host: String) async -> [String] { await NetworkAddress.resolve(host) }

    /// The ranges refused unless allowed: the same as published calendar feeds' (`NetworkAddress`, in the core).
    static func isNonPublic(_ address: String) -> Bool { NetworkAddress.isNonPublic(address) }
}
