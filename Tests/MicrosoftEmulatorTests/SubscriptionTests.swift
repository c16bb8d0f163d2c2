import EmulatorTestKit
import Foundation
import Synchronization
import Testing
import Vapor
@testable import MicrosoftEmulator

/// An app's notification endpoint: answers validation requests (concepts/webhooks.md) unless told not to, and
/// keeps every notification it receives.
final class WebhookReceiver: Sendable {
    /// What arrived, by path (notify or lifecycle).
    final class Log: Sendable {
        let entries = Mutex<[(path: String, body: JSON)]>([])
        func bodies(_ path: String) -> [JSON] { entries.withLock { $0.filter { $0.path == path }.map(\.body) } }
    }

    let app: Application
    let baseURL: String
    let log: Log

    /// - Parameter notificationDelay: how long a notification (not a validation request) waits for its answer.
    static func start(echoesToken: Bool = true, notificationDelay: Duration = .zero) async throws -> WebhookReceiver {
        let app = try await Application.make(.custom(name: "receiver"))
        app.logger.logLevel = .warning
        let log = Log()
        for path in ["notify", "lifecycle"] {
            app.post(.constant(path)) { req async -> Response in
                if let token = req.query[String.self, at: "validationToken"] {
                    // The decoded token, as text/plain, within 10 seconds.
                    return Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .init(string: echoesToken ? token : "something else"))
                }
                let body = (try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer()))) ?? .null
                log.entries.withLock { $0.append((path, body)) }
                if notificationDelay > .zero { try? await Task.sleep(for: notificationDelay) }
                return Response(status: .accepted)
            }
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        return WebhookReceiver(app: app, baseURL: "http://127.0.0.1:\(port)", log: log)
    }

    private init(app: Application, baseURL: String, log: Log) {
        self.app = app
        self.baseURL = baseURL
        self.log = log
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

/// /subscriptions (api-reference/v1.0/api/subscription-post-subscriptions.md, subscription-update.md,
/// subscription-delete.md), the validation handshake (concepts/webhooks.md "Notification endpoint validation"),
/// change notifications (concepts/change-notifications-delivery-webhooks.md) and lifecycle notifications
/// (concepts/change-notifications-lifecycle-events.md).
struct SubscriptionTests {
    /// Notifications a receiver got, polled (they are delivered in the background).
    func waitFor(_ count: Int, at path: String, in log: WebhookReceiver.Log) async throws -> [JSON] {
        try await eventuallyValue(timeout: .seconds(30), every: .milliseconds(50), "\(count) notification(s) at \(path)") {
            let bodies = log.bodies(path)
            return bodies.count >= count ? bodies : nil
        }
    }

    func expiration(minutes: Int) -> JSON { .string(Date().addingTimeInterval(TimeInterval(minutes * 60)).formatted(Date.ISO8601FormatStyle())) }

    @Test func validationHandshakeThenChangeNotificationsWithClientState() async throws {
        try await MicrosoftHarness.with { h in
            let receiver = try await WebhookReceiver.start()
            let store = receiver.log
            let token = await h.token("ada@contoso.example")
            let created = try await h.call(.POST, "/v1.0/subscriptions", token: token, body: [
                "changeType": "created,updated,deleted", "notificationUrl": .string(receiver.baseURL + "/notify"),
                "lifecycleNotificationUrl": .string(receiver.baseURL + "/lifecycle"),
                "resource": .string("me/calendars/\(MicrosoftHarness.work)/events"), "expirationDateTime": expiration(minutes: 60),
                "clientState": "secret-from-syncboard",
            ])
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"]?.string)
            let records = await h.state.notificationRecords()
            #expect(records.filter { $0.kind == "validation" }.map(\.status) == [200, 200])

            let event = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token,
                                         body: meeting("Planning", "2026-12-01T09:00:00", "2026-12-01T10:00:00")).json["id"]!.string!
            // Another calendar's change is not notified.
            try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.team), token: token, body: meeting("Team", "2026-12-01T09:00:00", "2026-12-01T10:00:00"))
            let notifications = try await waitFor(1, at: "notify", in: store)
            #expect(notifications.count == 1)
            let first = try #require(notifications.first?["value"]?[0])
            #expect(first["subscriptionId"]?.string == id)
            #expect(first["clientState"]?.string == "secret-from-syncboard")
            #expect(first["changeType"]?.string == "created")
            #expect(first["resourceData"]?["id"]?.string == event)
            #expect(first["tenantId"]?.string == MicrosoftHarness.tenant)

            // subscription-update.md: renewed by PATCH; subscription-delete.md: gone after DELETE.
            let renewed = try await h.call(.PATCH, "/v1.0/subscriptions/\(id)", token: token, body: ["expirationDateTime": expiration(minutes: 120)])
            #expect(renewed.status == 200)
            #expect(try await h.call(.DELETE, "/v1.0/subscriptions/\(id)", token: token).status == 204)
            try await h.call(.PATCH, "/v1.0/me/events/\(event)", token: token, body: ["subject": "After delete"])
            try await Task.sleep(for: .milliseconds(200))
            #expect(store.bodies("notify").count == 1)
            try await receiver.stop()
        }
    }

    /// concepts/change-notifications-delivery-webhooks.md, "Throttling": "Notifications are published using an HTTP
    /// client with a 3-second timeout": an app answering later is recorded as not having answered (status 0).
    @Test func aNotificationAnsweredAfterThreeSecondsCountsAsUnanswered() async throws {
        try await MicrosoftHarness.with { h in
            let receiver = try await WebhookReceiver.start(notificationDelay: .seconds(6))
            let token = await h.token("ada@contoso.example")
            let created = try await h.call(.POST, "/v1.0/subscriptions", token: token, body: [
                "changeType": "created", "notificationUrl": .string(receiver.baseURL + "/notify"),
                "resource": .string("me/calendars/\(MicrosoftHarness.work)/events"), "expirationDateTime": expiration(minutes: 60), "clientState": "cs",
            ])
            #expect(created.status == 201, "validation is answered at once: \(created.text)")
            await h.state.clearNotificationRecords()
            try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: meeting("Slow", "2026-12-01T09:00:00", "2026-12-01T10:00:00"))
            let record = try await eventuallyValue(timeout: .seconds(30), "the notification's outcome is recorded") {
                await h.state.notificationRecords().first { $0.kind == "change" && $0.status != nil }
            }
            #expect(record.status == 0, "no answer within 3 s: \(record)")
            #expect(receiver.log.bodies("notify").count == 1, "it was delivered")
            try await receiver.stop()
        }
    }

    /// concepts/webhooks.md: without the token back as text/plain the subscription is not created.
    @Test func failedValidationRefusesTheSubscription() async throws {
        try await MicrosoftHarness.with { h in
            let receiver = try await WebhookReceiver.start(echoesToken: false)
            let token = await h.token("ada@contoso.example")
            let answer = try await h.call(.POST, "/v1.0/subscriptions", token: token, body: [
                "changeType": "updated", "notificationUrl": .string(receiver.baseURL + "/notify"), "resource": "me/events",
                "expirationDateTime": expiration(minutes: 60), "clientState": "x",
            ])
            #expect(answer.status == 400)
            #expect(answer.json["error"]?["message"]?.string?.contains("validation") == true)
            #expect(await h.state.allSubscriptions().isEmpty)
            try await receiver.stop()
        }
    }

    /// subscription.md's maximum lifetime for Outlook events (configurable: the documents disagree).
    @Test func expirationBeyondTheMaximumIsRefused() async throws {
        try await MicrosoftHarness.with { h in
            let receiver = try await WebhookReceiver.start()
            let token = await h.token("ada@contoso.example")
            try await h.call(.PUT, "/emulator/subscription-limit", body: ["maximumMinutes": 4230])
            func subscribe(_ minutes: Int) async throws -> Int {
                try await h.call(.POST, "/v1.0/subscriptions", token: token, body: [
                    "changeType": "updated", "notificationUrl": .string(receiver.baseURL + "/notify"), "resource": "me/events",
                    "expirationDateTime": expiration(minutes: minutes),
                ]).status
            }
            #expect(try await subscribe(5000) == 400)
            #expect(try await subscribe(4200) == 201)
            try await receiver.stop()
        }
    }

    /// change-notifications-lifecycle-events.md: reauthorizationRequired, subscriptionRemoved and missed go to the
    /// lifecycleNotificationUrl with the clientState; subscriptionRemoved ends the subscription.
    @Test func lifecycleNotificationsFromTheControlAPI() async throws {
        try await MicrosoftHarness.with { h in
            let receiver = try await WebhookReceiver.start()
            let store = receiver.log
            let token = await h.token("ada@contoso.example")
            let id = try await h.call(.POST, "/v1.0/subscriptions", token: token, body: [
                "changeType": "created,updated,deleted", "notificationUrl": .string(receiver.baseURL + "/notify"),
                "lifecycleNotificationUrl": .string(receiver.baseURL + "/lifecycle"), "resource": "me/events",
                "expirationDateTime": expiration(minutes: 60), "clientState": "cs-1",
            ]).json["id"]!.string!
            for event in ["reauthorizationRequired", "missed", "subscriptionRemoved"] {
                #expect(try await h.call(.POST, "/emulator/subscriptions/\(id)/lifecycle", body: ["lifecycleEvent": .string(event)]).status == 202)
            }
            let got = try await waitFor(3, at: "lifecycle", in: store)
            #expect(Set(got.compactMap { $0["value"]?[0]?["lifecycleEvent"]?.string }) == ["reauthorizationRequired", "missed", "subscriptionRemoved"])
            #expect(got.allSatisfy { $0["value"]?[0]?["clientState"]?.string == "cs-1" && $0["value"]?[0]?["subscriptionId"]?.string == id })
            #expect(try await h.call(.GET, "/v1.0/subscriptions/\(id)", token: token).status == 404)
            #expect(try await h.call(.POST, "/emulator/subscriptions/\(id)/lifecycle", body: ["lifecycleEvent": "missed"]).status == 404)
            try await receiver.stop()
        }
    }
}
