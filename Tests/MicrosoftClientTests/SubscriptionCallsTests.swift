import EmulatorTestKit
import Foundation
import MicrosoftEmulator
import Synchronization
import Testing
@testable import MicrosoftClient

/// The Graph client's subscription calls against the emulator (api-reference/v1.0/api/subscription-post-subscriptions.md,
/// subscription-update.md, subscription-delete.md). The emulator's webhook poster is replaced by one that answers the
/// validation handshake with the token (concepts/change-notifications-delivery-webhooks.md) and keeps what it was sent.
@Suite("Microsoft client: change-notification subscriptions")
struct SubscriptionCallsTests {
    final class Inbox: Sendable {
        private let posts = Mutex<[WebhookPost]>([])
        func add(_ post: WebhookPost) { posts.withLock { $0.append(post) } }
        var all: [WebhookPost] { posts.withLock { $0 } }
    }

    /// Echoes the validation token as text/plain, 202 for notifications.
    static func answering(into inbox: Inbox, echo: Bool = true) -> @Sendable (WebhookPost) async -> WebhookAnswer? {
        { post in
            inbox.add(post)
            if let token = URLComponents(string: post.url)?.queryItems?.first(where: { $0.name == "validationToken" })?.value {
                return WebhookAnswer(status: 200, contentType: "text/plain; charset=utf-8", body: echo ? token : "no")
            }
            return WebhookAnswer(status: 202, contentType: nil, body: "")
        }
    }

    @Test func createRenewDeleteAndNotificationsCarryTheClientState() async throws {
        try await GraphHarness.with { h in
            let inbox = Inbox()
            await h.state.setWebhookPoster(Self.answering(into: inbox))
            let token = await h.token()
            let expiration = Date().addingTimeInterval(3_600)
            let created = try await h.api.createSubscription(calendarID: GraphHarness.work, notificationURL: "https://syncboard.example/microsoft/notifications",
                                                             lifecycleURL: "https://syncboard.example/microsoft/lifecycle", expiration: expiration,
                                                             clientState: "cs-secret", accessToken: token)
            #expect(created.resource == "me/calendars/\(GraphHarness.work)/events")
            #expect(created.changeType == "created,updated,deleted")
            #expect(abs(created.expirationDateTime.timeIntervalSince(expiration)) < 1)
            #expect(inbox.all.filter { $0.url.contains("validationToken=") }.count == 2, "both addresses were validated")

            // A change in the calendar is notified with the clientState and the subscription's id.
            try await h.outlookCreate(GraphHarness.work, meeting("Planning", "2026-12-01T09:00:00", "2026-12-01T10:00:00"))
            let notification = try await eventuallyValue(timeout: .seconds(30), "the change notification") {
                inbox.all.first { $0.url.hasSuffix("/microsoft/notifications") }
            }
            let value = try #require(try JSONSerialization.jsonObject(with: notification.body) as? [String: Any])["value"] as? [[String: Any]]
            #expect(value?.first?["subscriptionId"] as? String == created.id)
            #expect(value?.first?["clientState"] as? String == "cs-secret")

            let later = Date().addingTimeInterval(7_200)
            let renewed = try await h.api.renewSubscription(id: created.id, expiration: later, accessToken: token)
            #expect(renewed.id == created.id && abs(renewed.expirationDateTime.timeIntervalSince(later)) < 1)
            #expect(await h.state.allSubscriptions().first?.expirationDateTime.timeIntervalSince(later).magnitude ?? 99 < 1)

            try await h.api.deleteSubscription(id: created.id, accessToken: token)
            #expect(await h.state.allSubscriptions().isEmpty)
            try await h.api.deleteSubscription(id: created.id, accessToken: token)  // already gone: no error
            await #expect(throws: MicrosoftError.notFound) {
                try await h.api.renewSubscription(id: created.id, expiration: later, accessToken: token)
            }
        }
    }

    @Test func aRefusedHandshakeOrTooLongALifetimeIsABadRequest() async throws {
        try await GraphHarness.with { h in
            let inbox = Inbox()
            await h.state.setWebhookPoster(Self.answering(into: inbox, echo: false))
            let token = await h.token()
            await #expect(throws: MicrosoftError.badRequest(status: 400, code: "InvalidRequest")) {
                try await h.api.createSubscription(calendarID: GraphHarness.work, notificationURL: "https://syncboard.example/n", lifecycleURL: nil,
                                                   expiration: Date().addingTimeInterval(3_600), clientState: "cs", accessToken: token)
            }
            await h.state.setWebhookPoster(Self.answering(into: inbox))
            await h.state.setMaximumSubscriptionMinutes(4_230)
            await #expect(throws: MicrosoftError.badRequest(status: 400, code: "InvalidRequest")) {
                try await h.api.createSubscription(calendarID: GraphHarness.work, notificationURL: "https://syncboard.example/n", lifecycleURL: nil,
                                                   expiration: Date().addingTimeInterval(5_000 * 60), clientState: "cs", accessToken: token)
            }
            #expect(await h.state.allSubscriptions().isEmpty)
        }
    }

    @Test func graphsInstantsWithSevenFractionalDigitsAreRead() {
        let seven = GraphAPIClient.parseInstant("2026-12-03T19:00:00.1234567Z"), whole = GraphAPIClient.parseInstant("2026-12-03T19:00:00Z")
        #expect(seven != nil && whole != nil && abs(seven!.timeIntervalSince(whole!) - 0.123) < 0.001)
        #expect(GraphAPIClient.parseInstant("2026-12-03T19:00:00+00:00") != nil)
        #expect(GraphAPIClient.parseInstant("yesterday") == nil)
    }
}
