import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import NIOHTTP1

/// Delivers webhook messages: a POST of the signed JSON event (or Slack's body), with a short timeout, no
/// redirects followed, and the outbox message's id as `Idempotency-Key` so a receiver can drop a copy sent again.
struct WebhookChannel: DeliveryChannel {
    let db: any Database
    let vault: TokenVault
    let baseURL: URL
    let policy: WebhookAddressPolicy
    let timeout: TimeInterval

    /// Its own client: redirects are never followed (a redirect could lead into the private network), and it makes
    /// no trace spans of its own (they would carry the endpoint's full URL, which may hold a secret).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)))
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    func deliver(_ context: DeliveryContext) async -> DeliveryResult {
        guard let endpointID = UUID(uuidString: context.destination),
              let endpoint = try? await WebhookEndpoint.find(endpointID, on: db) else {
            return .giveUp("the webhook endpoint was removed")
        }
        guard let notice = context.notices.first else { return .giveUp("the message carries no notice") }
        let urlText: String, secret: String
        do {
            urlText = try vault.open(endpoint.urlCiphertext, context: WebhookEndpoint.vaultContext("url", id: endpointID))
            secret = try vault.open(endpoint.secretCiphertext, context: WebhookEndpoint.vaultContext("secret", id: endpointID))
        } catch {
            return .giveUp("the endpoint's stored URL or secret cannot be decrypted: \(error)")
        }
        let url: URL
        do {
            url = try await policy.check(urlText)
        } catch {
            return .giveUp("refused: \(error.description)")
        }
        let event = WebhookEvent(notice: notice, baseURL: baseURL)
        let body = endpoint.format == .slack ? event.slackJSON() : event.json()
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Syncboard/\(SyncboardVersion.current)")
        request.headers.add(name: "Idempotency-Key", value: context.messageID.uuidString.lowercased())
        request.headers.add(name: "Syncboard-Event-Id", value: event.id)
        request.headers.add(name: "Syncboard-Delivery-Attempt", value: String(context.attempt))
        if endpoint.format == .syncboard {
            request.headers.add(name: "Syncboard-Timestamp", value: String(timestamp))
            request.headers.add(name: "Syncboard-Signature", value: WebhookEvent.signature(secret: secret, timestamp: timestamp, body: body))
        }
        request.body = .bytes(ByteBuffer(data: body))
        do {
            let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            switch code {
            case 200..<300: return .sent("\(endpoint.displayURL) answered \(code)")
            case 410: return .giveUp("\(endpoint.displayURL) answered 410 Gone: the endpoint no longer exists")
            case 408, 425, 429, 500...599: return .retry("\(endpoint.displayURL) answered \(code)")
            default: return .giveUp("\(endpoint.displayURL) answered \(code): check the endpoint's URL and what it accepts")
            }
        } catch {
            let description = String(describing: error)
            if description.contains("deadlineExceeded") || description.contains("readTimeout") || description.contains("connectTimeout") {
                return .retry("\(endpoint.displayURL) did not answer within \(Int(timeout)) s")
            }
            return .retry("\(endpoint.displayURL) could not be reached: \(description.prefix(200))")
        }
    }
}
