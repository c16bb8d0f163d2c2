import Fluent
import Foundation
import Metrics
import Vapor

/// Google's push notifications (the public address every channel names; no session, no CSRF token: Google sends
/// neither). A message counts only when its channel id, resource id and token are those of a channel Syncboard
/// keeps open (the token compared in constant time, never logged); then `exists` starts the affected real-time
/// jobs through the coalescer, and so does `sync`, the message that opens a channel. Everything else is answered 200 at once and changes nothing, so Google does not
/// retry and a forger learns nothing.
struct NotificationsController: RouteCollection {
    static let path = "/google/notifications"

    func boot(routes: any RoutesBuilder) throws {
        routes.post("google", "notifications", use: receive)
    }

    /// Answered from memory (`PushChannelDirectory`) without writing anything: the work a message starts happens in
    /// the coalescer after the answer, so a wave of messages is answered within seconds.
    func receive(req: Request) async throws -> HTTPStatus {
        let headers = req.headers
        let state = headers.first(name: "X-Goog-Resource-State") ?? ""
        guard let channelID = headers.first(name: "X-Goog-Channel-ID"), let token = headers.first(name: "X-Goog-Channel-Token"),
              let resourceID = headers.first(name: "X-Goog-Resource-ID"),
              let directory = req.application.pushChannels,
              let channel = try await directory.channel(channelID),
              SecureRandom.constantTimeEquals(SecureRandom.digest(token), channel.tokenDigest),
              channel.live, channel.provider == .google,
              channel.resourceID == nil || channel.resourceID == resourceID
        else {
            Self.count("ignored")
            req.logger.info("push notification ignored: unknown or stopped channel, or wrong token", metadata: ["state": .string(state)])
            return .ok
        }
        Self.count(state == "sync" ? "sync" : "accepted")
        // `exists`: something changed. `sync`: the channel has just opened; a change made between the job's last run
        // and this moment announced nothing, so one incremental run looks (usually a quiet check).
        if let calendarID = channel.calendarID {
            await req.application.pushCoalescer?.note(calendarID: calendarID, channelID: channelID,
                                                      startsRuns: state == "exists" || state == "sync")
        }
        return .ok
    }

    private static func count(_ result: String) {
        Counter(label: "syncboard_push_notifications_total", dimensions: [("result", result)]).increment()
    }
}

extension Application {
    private struct CoalescerKey: StorageKey { typealias Value = NotificationCoalescer }
    private struct DirectoryKey: StorageKey { typealias Value = PushChannelDirectory }

    /// The channels the notification endpoint knows (set up by `configure`).
    var pushChannels: PushChannelDirectory? {
        get { storage[DirectoryKey.self] }
        set { storage[DirectoryKey.self] = newValue }
    }

    /// The process's notification coalescer (set up by `configure`).
    var pushCoalescer: NotificationCoalescer? {
        get { storage[CoalescerKey.self] }
        set { storage[CoalescerKey.self] = newValue }
    }
}
