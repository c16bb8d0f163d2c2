import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import SyncboardApp

/// Webhooks against a real HTTP receiver (a Vapor server started by the test).
@Suite("Notification webhooks")
struct WebhookTests {
    /// Records every request; answers with the next scripted status (200 when the script is empty), optionally slowly.
    final class Receiver: @unchecked Sendable {
        struct Request: Sendable { let headers: HTTPHeaders; let body: Data; let at: Date }
        let app: Application
        private(set) var port = 0
        private let state = NIOLockedValueBox<(requests: [Request], script: [(status: HTTPStatus, delay: Duration)])>(([], []))

        init(script: [(HTTPStatus, Duration)] = []) async throws {
            app = try await Application.make(.testing)
            app.logger.logLevel = .critical
            state.withLockedValue { $0.script = script.map { (status: $0.0, delay: $0.1) } }
            app.post("hook") { [state] req async throws -> HTTPStatus in
                let body = req.body.data.map { Data(buffer: $0) } ?? Data()
                let next = state.withLockedValue { value -> (status: HTTPStatus, delay: Duration) in
                    value.requests.append(Request(headers: req.headers, body: body, at: Date()))
                    return value.script.isEmpty ? (.ok, .zero) : value.script.removeFirst()
                }
                try await Task.sleep(for: next.delay)
                return next.status
            }
            port = try await app.startOnAnyPort()
        }

        var url: String { "http://127.0.0.1:\(port)/hook" }
        var requests: [Request] { state.withLockedValue { $0.requests } }

        func stop() async {
            await app.server.shutdown()
            try? await app.asyncShutdown()
        }
    }

    static func endpoint(_ app: Application, user: User, url: String, format: WebhookEndpoint.Format = .syncboard) async throws -> (WebhookEndpoint, String) {
        try await WebhookRegistry(db: app.db, vault: app.syncboard.vault, policy: WebhookAddressPolicy(allowPrivate: true))
            .add(userID: try user.requireID(), url: url, format: format)
    }

    @Test("the event is signed with HMAC-SHA256 over timestamp and body under the endpoint's secret, versioned and documented")
    func signedEvent() async throws {
        let receiver = try await Receiver()
        do {
            try await TestApp.withApp(on: .sqlite) { app in
                app.syncboard.configuration.delivery.allowPrivateWebhooks = true
                let setup = try await NotificationFixtures.make(app)
                let (endpoint, secret) = try await Self.endpoint(app, user: setup.user, url: receiver.url)
                #expect(secret.hasPrefix("whsec_"))
                #expect(!endpoint.secretCiphertext.contains(secret) && !endpoint.urlCiphertext.contains("127.0.0.1"))
                try await setup.run(app, setup.needsReconnect)
                try await NotificationFixtures.deliverer(app).deliverDue()

                let request = try #require(receiver.requests.first)
                let timestamp = try #require(request.headers.first(name: "Syncboard-Timestamp").flatMap(Int.init))
                #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 300, "the timestamp is current (replay protection)")
                var signed = Data("\(timestamp).".utf8)
                signed.append(request.body)
                let expected = "v1=" + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8))))
                    .map { String(format: "%02x", $0) }.joined()
                #expect(request.headers.first(name: "Syncboard-Signature") == expected)
                // A body altered in transit no longer verifies.
                var tampered = Data("\(timestamp).".utf8); tampered.append(request.body); tampered.append(0x20)
                #expect(!HMAC<SHA256>.isValidAuthenticationCode(Data(hex: String(expected.dropFirst(3)))!, authenticating: tampered,
                                                                using: SymmetricKey(data: Data(secret.utf8))))
                let outbox = try #require(try await OutboxMessage.query(on: app.db).filter(\.$channel == .webhook).first())
                #expect(request.headers.first(name: "Idempotency-Key") == (try outbox.requireID()).uuidString.lowercased())
                let event = try JSONDecoder().decode(WebhookEvent.self, from: request.body)
                #expect(event.type == "syncboard.notice" && event.version == 1 && event.event == "opened" && event.category == "problems")
                #expect(event.title.contains("Work → Family") && event.action.url == "https://sync.example.org/accounts")
                #expect(event.jobId == setup.jobID.uuidString.lowercased())
                #expect(!String(decoding: request.body, as: UTF8.self).contains(NotificationFixtures.refreshToken))
                #expect(try await DeliveryAttempt.query(on: app.db).all().map(\.result).contains(.sent))
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test("a 500 and a timeout are retried with exponential backoff, with the same idempotency key", arguments: ["500", "timeout"])
    func retried(failure: String) async throws {
        let first: (HTTPStatus, Duration) = failure == "500" ? (.internalServerError, .zero) : (.ok, .seconds(8))
        let receiver = try await Receiver(script: [first, first])
        do {
            try await TestApp.withApp(on: .sqlite) { app in
                app.syncboard.configuration.delivery.allowPrivateWebhooks = true
                app.syncboard.configuration.delivery.webhookTimeout = 1
                let setup = try await NotificationFixtures.make(app)
                _ = try await Self.endpoint(app, user: setup.user, url: receiver.url)
                try await setup.run(app, setup.needsReconnect)
                let deliverer = NotificationFixtures.deliverer(app)
                let webhook = { try await OutboxMessage.query(on: app.db).filter(\.$channel == .webhook).first()! }

                try await deliverer.deliverDue(now: Date())
                let afterFirst = try await webhook()
                #expect(afterFirst.status == .pending && afterFirst.attempts == 1)
                let firstDelay = afterFirst.deliverAfter.timeIntervalSinceNow
                #expect(firstDelay > 20 && firstDelay < 40, "first retry after the 30 s base: \(firstDelay)")

                try await deliverer.deliverDue(now: afterFirst.deliverAfter.addingTimeInterval(1))
                let afterSecond = try await webhook()
                #expect(afterSecond.status == .pending && afterSecond.attempts == 2)
                let secondDelay = afterSecond.deliverAfter.timeIntervalSinceNow
                #expect(secondDelay > 50 && secondDelay < 70, "the second retry waits twice as long: \(secondDelay)")

                try await deliverer.deliverDue(now: afterSecond.deliverAfter.addingTimeInterval(1))
                #expect(try await webhook().status == .sent)
                let attempts = try await DeliveryAttempt.query(on: app.db).filter(\.$message.$id == webhook().requireID()).sort(\.$attempt).all()
                #expect(attempts.map(\.result) == [.failed, .failed, .sent])
                #expect(attempts[0].detail?.contains(failure == "500" ? "answered 500" : "did not answer within 1 s") == true, "\(attempts[0].detail ?? "")")
                let requests = receiver.requests
                #expect(requests.count == 3)
                #expect(Set(requests.compactMap { $0.headers.first(name: "Idempotency-Key") }).count == 1)
                #expect(Set(requests.map(\.body)).count == 1, "every attempt carries the same event")
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test("endpoints on loopback, private or link-local addresses, and http://, are refused with a clear message", arguments: [
        "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://192.168.1.20/x", "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook", "https://[fe80::1]/hook", "https://localhost/hook", "http://example.org/hook",
    ])
    func privateAddressesRefused(url: String) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let registry = WebhookRegistry(db: app.db, vault: app.syncboard.vault, policy: WebhookAddressPolicy(allowPrivate: false))
            do {
                _ = try await registry.add(userID: try user.requireID(), url: url, format: .syncboard)
                Issue.record("\(url) was accepted")
            } catch {
                let text = String(describing: error)
                #expect(text.contains("loopback, private or link-local") || text.contains("Only https://"), "\(text)")
            }
            #expect(try await WebhookEndpoint.query(on: app.db).count() == 0)
        }
    }

    @Test("a Slack incoming-webhook endpoint gets Slack's text body with the link")
    func slackFormat() async throws {
        let receiver = try await Receiver()
        do {
            try await TestApp.withApp(on: .sqlite) { app in
                app.syncboard.configuration.delivery.allowPrivateWebhooks = true
                let setup = try await NotificationFixtures.make(app)
                _ = try await Self.endpoint(app, user: setup.user, url: receiver.url, format: .slack)
                try await setup.run(app, setup.needsReconnect)
                try await NotificationFixtures.deliverer(app).deliverDue()
                let request = try #require(receiver.requests.first)
                let json = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: String])
                #expect(json.keys.sorted() == ["text"])
                #expect(json["text"]?.contains("<https://sync.example.org/accounts|Reconnect the account>") == true)
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }
}

extension Data {
    init?(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
