import Fluent
import Foundation

/// Adds and removes a user's webhook endpoints. A new endpoint gets a random signing secret, returned once to be
/// shown once; URL and secret are stored sealed by the TokenVault.
struct WebhookRegistry {
    let db: any Database
    let vault: TokenVault
    let policy: WebhookAddressPolicy

    /// At most this many endpoints per user.
    static let limit = 10

    func add(userID: UUID, url text: String, format: WebhookEndpoint.Format, now: Date = Date()) async throws(WebhookAddressPolicy.Refusal)
        -> (endpoint: WebhookEndpoint, secret: String) {
        let url = try await policy.check(text.trimmingCharacters(in: .whitespaces))
        let count = (try? await WebhookEndpoint.query(on: db).filter(\.$user.$id == userID).count()) ?? 0
        guard count < Self.limit else { throw .init(description: "You can add at most \(Self.limit) webhook endpoints") }
        let id = UUID()
        let secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64URLEncoded()
        do {
            let endpoint = WebhookEndpoint(
                id: id, userID: userID, urlCiphertext: try vault.seal(url.absoluteString, context: WebhookEndpoint.vaultContext("url", id: id)),
                displayURL: Self.display(url), format: format,
                secretCiphertext: try vault.seal(secret, context: WebhookEndpoint.vaultContext("secret", id: id)), createdAt: now)
            try await endpoint.create(on: db)
            return (endpoint, secret)
        } catch {
            throw .init(description: "The endpoint could not be saved: \(DatabaseErrorDescription.describe(error))")
        }
    }

    /// Scheme, host, port and the path's first few characters (a Slack URL's path is its secret).
    static func display(_ url: URL) -> String {
        let path = url.path
        let shown = path.count > 8 ? String(path.prefix(8)) + "…" : path
        return "\(url.scheme ?? "https")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")\(shown)"
    }
}
