import Fluent
import Foundation
import Metrics
import Vapor

/// Microsoft Graph's change and lifecycle notifications for the subscriptions `ChannelKeeper` keeps on Outlook
/// calendars (the public addresses every subscription names; no session, no CSRF token: Graph sends neither).
///
/// - The validation handshake (concepts/change-notifications-delivery-webhooks.md, "Notification endpoint
///   validation"): a POST with `?validationToken=…` is answered 200 `text/plain` with the decoded token, at once.
/// - A notification is answered 202 at once (Graph wants an answer within 3 seconds, else it counts the endpoint
///   slow and drops it) and judged afterwards, from memory (`PushChannelDirectory`): it counts only when its
///   `subscriptionId` is a live Microsoft subscription Syncboard keeps and its `clientState` is that subscription's
///   (compared as a digest in constant time, never logged). Then its calendar's real-time jobs start through the
///   same coalescer as Google's notifications. Anything else changes nothing and is counted as ignored, as Google's
///   forged requests are.
/// - Lifecycle notifications (concepts/change-notifications-lifecycle-events.md) are checked the same way and
///   recorded on the subscription's row for the keeper: `reauthorizationRequired` → renewed by PATCH,
///   `subscriptionRemoved` → created again, `missed` → created again, and the calendar's jobs run at once to
///   catch up on what was not notified.
struct MicrosoftNotificationsController: RouteCollection {
    static let path = "/microsoft/notifications"
    static let lifecyclePath = "/microsoft/lifecycle"
    /// Graph batches notifications; a batch is small JSON, far under this.
    static let maximumBody: ByteCount = "1mb"

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "microsoft", "notifications", body: .collect(maxSize: Self.maximumBody), use: receiveChange)
        routes.on(.POST, "microsoft", "lifecycle", body: .collect(maxSize: Self.maximumBody), use: receiveLifecycle)
    }

    /// One entry of a notification batch (the fields Syncboard reads).
    struct Notification: Decodable {
        let subscriptionId: String?
        let clientState: String?
        let changeType: String?
        let lifecycleEvent: String?
    }

    struct Batch: Decodable { let value: [Notification]? }

    func receiveChange(req: Request) async throws -> Response {
        if let answer = Self.validation(req) { return answer }
        let batch = Self.batch(req)
        let app = req.application
        Task { await Self.handleChanges(batch, app: app) }
        return Response(status: .accepted)
    }

    func receiveLifecycle(req: Request) async throws -> Response {
        if let answer = Self.validation(req) { return answer }
        let batch = Self.batch(req)
        let app = req.application
        Task { await Self.handleLifecycle(batch, app: app) }
        return Response(status: .accepted)
    }

    /// The handshake's answer: the token, decoded, as plain text (so a browser never renders it as a page).
    static func validation(_ req: Request) -> Response? {
        guard let token = req.query[String.self, at: "validationToken"] else { return nil }
        guard token.utf8.count <= 1024 else { return Response(status: .badRequest) }
        var headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")])
        headers.add(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: token))
    }

    static func batch(_ req: Request) -> [Notification] {
        guard let body = req.body.data, let batch = try? JSONDecoder().decode(Batch.self, from: body) else { return [] }
        return batch.value ?? []
    }

    /// The subscription a notification names, if it is a live Microsoft subscription of Syncboard's and the
    /// clientState is its own.
    static func authenticated(_ notification: Notification, app: Application) async -> PushChannelDirectory.Entry? {
        guard let subscriptionID = notification.subscriptionId, let clientState = notification.clientState,
              let directory = app.pushChannels,
              let channel = try? await directory.channel(subscriptionID),
              channel.provider == .microsoft, channel.live,
              SecureRandom.constantTimeEquals(SecureRandom.digest(clientState), channel.tokenDigest)
        else { return nil }
        return channel
    }

    static func handleChanges(_ batch: [Notification], app: Application) async {
        if batch.isEmpty { count("ignored") }
        for notification in batch {
            guard let channel = await authenticated(notification, app: app), let calendarID = channel.calendarID,
                  let subscriptionID = notification.subscriptionId else {
                count("ignored")
                app.logger.info("Graph notification ignored: unknown or stopped subscription, or wrong clientState",
                                metadata: ["change_type": .string(notification.changeType ?? "")])
                continue
            }
            count("accepted")
            await app.pushCoalescer?.note(calendarID: calendarID, channelID: subscriptionID)
        }
    }

    static func handleLifecycle(_ batch: [Notification], app: Application) async {
        if batch.isEmpty { count("ignored") }
        for notification in batch {
            guard let event = notification.lifecycleEvent, ["reauthorizationRequired", "subscriptionRemoved", "missed"].contains(event),
                  let channel = await authenticated(notification, app: app), let subscriptionID = notification.subscriptionId else {
                count("ignored")
                app.logger.info("Graph lifecycle notification ignored: unknown or stopped subscription, wrong clientState or unknown event",
                                metadata: ["lifecycle_event": .string(notification.lifecycleEvent ?? "")])
                continue
            }
            count("lifecycle")
            app.logger.info("Graph lifecycle notification", metadata: ["lifecycle_event": .string(event), "channel_id": .string(subscriptionID)])
            do {
                try await PushChannel.query(on: app.db).filter(\.$channelID == subscriptionID).filter(\.$status == .active)
                    .set(\.$lifecycleEvent, to: event).update()
            } catch {
                app.logger.error("could not record a Graph lifecycle notification", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
                continue
            }
            // Notifications were lost (missed) or none came while the subscription was gone: the jobs run now, and
            // their incremental run (Graph's delta link) finds every change since the last one.
            if event != "reauthorizationRequired", let calendarID = channel.calendarID {
                await app.pushCoalescer?.note(calendarID: calendarID, channelID: subscriptionID)
            }
            app.syncboard.wakeups.jobsChanged()  // the keeper here, and in the other processes
        }
    }

    static func count(_ result: String) {
        Counter(label: "syncboard_push_notifications_total", dimensions: [("result", result)]).increment()
    }
}

extension AppConfiguration {
    /// Where Graph delivers change notifications (`MicrosoftNotificationsController`).
    public var microsoftNotificationAddress: String {
        baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + MicrosoftNotificationsController.path
    }

    /// Where Graph delivers lifecycle notifications.
    public var microsoftLifecycleAddress: String {
        baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + MicrosoftNotificationsController.lifecyclePath
    }
}
