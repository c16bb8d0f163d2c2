import Foundation

/// Push notification channels: events.watch and channels.stop (Calendar API v3 "Push notifications").
extension CalendarAPIClient {
    /// The channel Google opened (its `expiration` may be earlier than asked: Google caps a channel's lifetime).
    public struct WatchChannel: Sendable, Equatable {
        public var id: String
        public var resourceID: String
        public var expiration: Date
    }

    private struct WatchBody: Encodable {
        var id: String
        var token: String
        var type = "web_hook"
        var address: String
        var params: [String: String]
    }

    private struct ChannelAnswer: Decodable {
        var id: String
        var resourceId: String
        var expiration: String?
    }

    /// events.watch on a calendar: notifications go to `address` with `token` in X-Goog-Channel-Token.
    public func watchEvents(calendarID: String, channelID: String, token: String, address: String, ttl: TimeInterval,
                            accessToken: String) async throws(GoogleError) -> WatchChannel {
        let body = WatchBody(id: channelID, token: token, address: address, params: ["ttl": String(Int(ttl))])
        let answer: ChannelAnswer = try await send(.POST, path: ["calendars", calendarID, "events", "watch"], query: [], body: body,
                                                   accessToken: accessToken)
        // Google writes int64 fields as strings: milliseconds since 1970.
        let expiration = answer.expiration.flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) } ?? Date().addingTimeInterval(ttl)
        return WatchChannel(id: answer.id, resourceID: answer.resourceId, expiration: expiration)
    }

    /// channels.stop; a channel Google no longer knows counts as stopped.
    public func stopChannel(id: String, resourceID: String, accessToken: String) async throws(GoogleError) {
        struct StopBody: Encodable { var id: String; var resourceId: String }
        do {
            let _: Empty = try await send(.POST, path: ["channels", "stop"], query: [], body: StopBody(id: id, resourceId: resourceID),
                                          accessToken: accessToken)
        } catch .notFound {
            return
        }
    }
}
