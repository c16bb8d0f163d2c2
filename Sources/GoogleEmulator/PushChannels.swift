import Foundation

/// An `events.watch` notification channel as the emulator keeps it.
public struct WatchChannel: Sendable, Codable, Equatable {
    public var id: String
    public var resourceID: String
    public var resourceURI: String
    public var calendarID: String
    /// Delivered with every message (X-Goog-Channel-Token); never listed by the control API.
    var token: String?
    public var address: String
    public var expiration: Date
    public var stopped: Bool
    /// The last message number sent on the channel (the `sync` message is 1).
    public var messageNumber: Int

    public var isLive: Bool { !stopped && expiration > Date() }

    enum CodingKeys: String, CodingKey { case id, resourceID, resourceURI, calendarID, address, expiration, stopped, messageNumber }
}

/// One notification message as Google sends it: an empty POST whose headers say what happened.
public struct PushNotification: Sendable, Equatable {
    public var address: String
    public var headers: [(String, String)]
    public var channelID: String
    public var state: String
    public var messageNumber: Int

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.address == rhs.address && lhs.channelID == rhs.channelID && lhs.state == rhs.state && lhs.messageNumber == rhs.messageNumber
    }
}

/// What happened to one notification (the control API lists them).
public struct DeliveryRecord: Sendable, Codable, Equatable {
    public var channelID: String
    public var state: String
    public var messageNumber: Int
    /// The receiver's HTTP status; nil when the message was dropped on purpose or could not be delivered.
    public var status: Int?
    public var dropped: Bool
    public var at: Date
}

/// Faults applied to notifications (tests): drop the next `drop` messages, duplicate the next `duplicate`, and
/// delay every message by `delay`.
public struct NotificationFaults: Sendable, Codable, Equatable {
    public var drop: Int
    public var duplicate: Int
    public var delayMilliseconds: Int
    public init(drop: Int = 0, duplicate: Int = 0, delayMilliseconds: Int = 0) {
        self.drop = drop
        self.duplicate = duplicate
        self.delayMilliseconds = delayMilliseconds
    }

    enum CodingKeys: String, CodingKey { case drop, duplicate, delayMilliseconds }

    /// Every field is optional in the control API.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(drop: try container.decodeIfPresent(Int.self, forKey: .drop) ?? 0,
                  duplicate: try container.decodeIfPresent(Int.self, forKey: .duplicate) ?? 0,
                  delayMilliseconds: try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? 0)
    }
}

/// Why a watch or stop request is refused (mapped to Google's answers by the routes).
enum ChannelFailure: Error, Equatable {
    case invalid(String, reason: String)
    case notFound(String)
}

extension EmulatorState {
    /// Google's channel lifetime for Calendar: `params.ttl` defaults to 604,800 s (a week), and the emulator never
    /// gives a channel more, whatever the request asks for.
    public static let defaultChannelLifetime: TimeInterval = 604_800

    /// Lets notifications go to plain http:// addresses (tests and the demo; Google itself requires https).
    public func allowPlainHTTPNotifications(_ allowed: Bool) { allowsPlainHTTPNotifications = allowed }

    /// Installs what sends a notification over HTTP and answers the receiver's status (the server does this).
    public func setNotificationSender(_ sender: @escaping @Sendable (PushNotification) async -> Int?) { notificationSender = sender }

    /// events.watch: opens a channel on the calendar's events and sends its `sync` message.
    func watch(calendarID: String, id: String?, token: String?, type: String?, address: String?, ttl: String?, expiration: Double?,
               resourceBase: String, now: Date = Date()) throws(ChannelFailure) -> WatchChannel {
        guard let id, !id.isEmpty else { throw .invalid("Required: id", reason: "required") }
        guard id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_+/=".contains($0) }) else {
            throw .invalid("Invalid channel id: \(id)", reason: "invalid")
        }
        guard let type, ["web_hook", "webhook"].contains(type) else { throw .invalid("Invalid value for type: \(type ?? "")", reason: "invalid") }
        guard let address, let url = URL(string: address), let scheme = url.scheme?.lowercased(), url.host != nil else {
            throw .invalid("Required: address", reason: "required")
        }
        guard scheme == "https" || (scheme == "http" && allowsPlainHTTPNotifications) else {
            throw .invalid("WebHook callback must be HTTPS: \(address)", reason: "push.webhookUrlNotHttps")
        }
        guard channels[id] == nil else { throw .invalid("Channel id \(id) not unique", reason: "channelIdNotUnique") }
        var lifetime = Self.defaultChannelLifetime
        if let ttl {
            guard let seconds = TimeInterval(ttl), seconds > 0 else { throw .invalid("Invalid value for params.ttl: \(ttl)", reason: "invalid") }
            lifetime = min(seconds, lifetime)
        } else if let expiration {
            lifetime = min(max(1, expiration / 1000 - now.timeIntervalSince1970), lifetime)
        }
        let resourceID = resourceIDs[calendarID] ?? Self.random()
        resourceIDs[calendarID] = resourceID
        let encoded = calendarID.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? calendarID
        let channel = WatchChannel(id: id, resourceID: resourceID, resourceURI: "\(resourceBase)/calendar/v3/calendars/\(encoded)/events?alt=json",
                                   calendarID: calendarID, token: token, address: address,
                                   expiration: Date(timeIntervalSince1970: (now.timeIntervalSince1970 + lifetime).rounded(.down)),
                                   stopped: false, messageNumber: 0)
        channels[id] = channel
        send(channelID: id, state: "sync")
        return channel
    }

    /// channels.stop: no more notifications on the channel. Unknown id, or a resource id that is not its, is 404.
    func stopChannel(id: String?, resourceID: String?) throws(ChannelFailure) {
        guard let id, let channel = channels[id], !channel.stopped, channel.resourceID == resourceID else {
            throw .notFound("Channel '\(id ?? "")' not found for project '1'")
        }
        channels[id]?.stopped = true
    }

    /// After a write to a calendar: an `exists` message on each of its live channels.
    func notifyWatchers(calendarID: String) {
        for channel in channels.values where channel.calendarID == calendarID && channel.isLive { send(channelID: channel.id, state: "exists") }
    }

    /// Numbers the message, applies the notification faults and sends it in the background.
    private func send(channelID: String, state: String) {
        guard var channel = channels[channelID] else { return }
        channel.messageNumber += 1
        channels[channelID] = channel
        var headers = [("X-Goog-Channel-ID", channel.id), ("X-Goog-Channel-Expiration", Self.httpDate(channel.expiration)),
                       ("X-Goog-Resource-ID", channel.resourceID), ("X-Goog-Resource-URI", channel.resourceURI),
                       ("X-Goog-Resource-State", state), ("X-Goog-Message-Number", String(channel.messageNumber))]
        if let token = channel.token { headers.insert(("X-Goog-Channel-Token", token), at: 1) }
        let notification = PushNotification(address: channel.address, headers: headers, channelID: channel.id, state: state,
                                            messageNumber: channel.messageNumber)
        if notificationFaults.drop > 0 {
            notificationFaults.drop -= 1
            deliveries.append(DeliveryRecord(channelID: channel.id, state: state, messageNumber: channel.messageNumber, status: nil, dropped: true, at: Date()))
            return
        }
        var copies = 1
        if notificationFaults.duplicate > 0 {
            notificationFaults.duplicate -= 1
            copies = 2
        }
        let delay = Duration.milliseconds(notificationFaults.delayMilliseconds)
        guard let sender = notificationSender else { return }
        Task {
            if delay > .zero { try? await Task.sleep(for: delay) }
            for _ in 0..<copies {
                let status = await sender(notification)
                await self.recordDelivery(DeliveryRecord(channelID: notification.channelID, state: notification.state,
                                                         messageNumber: notification.messageNumber, status: status, dropped: false, at: Date()))
            }
        }
    }

    private func recordDelivery(_ record: DeliveryRecord) { deliveries.append(record) }

    // MARK: - Control

    /// Every channel ever opened (tokens left out).
    public func watchChannels() -> [WatchChannel] { channels.values.sorted { $0.id < $1.id } }

    /// The channel as if its time had run out: no more notifications, as at Google when a channel expires.
    public func expireChannel(id: String) throws {
        guard channels[id] != nil else { throw EmulatorControlError.notFound("no channel \(id)") }
        channels[id]?.expiration = Date().addingTimeInterval(-1)
    }

    public func setNotificationFaults(_ faults: NotificationFaults) { notificationFaults = faults }

    /// Notifications sent (or dropped) so far, in the order they were handled.
    public func notificationDeliveries() -> [DeliveryRecord] { deliveries }

    public func clearNotificationDeliveries() { deliveries.removeAll() }

    /// RFC 7231 date, as Google writes X-Goog-Channel-Expiration.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
