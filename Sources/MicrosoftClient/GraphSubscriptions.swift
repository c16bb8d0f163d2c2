import Foundation

/// Change-notification subscriptions (api-reference/v1.0/resources/subscription.md): Graph POSTs to the app when
/// events of a calendar are created, updated or deleted, and tells the lifecycle address when the subscription needs
/// attention (concepts/change-notifications-lifecycle-events.md).
extension GraphAPIClient {
    /// What Graph answers for a subscription (the fields the app keeps; `clientState` is never read back).
    public struct Subscription: Decodable, Sendable, Equatable {
        public let id: String
        public let resource: String
        public let changeType: String
        public let expirationDateTime: Date

        enum CodingKeys: String, CodingKey { case id, resource, changeType, expirationDateTime }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            resource = try container.decode(String.self, forKey: .resource)
            changeType = try container.decode(String.self, forKey: .changeType)
            let expiration = try container.decode(String.self, forKey: .expirationDateTime)
            guard let date = GraphAPIClient.parseInstant(expiration) else {
                throw DecodingError.dataCorruptedError(forKey: .expirationDateTime, in: container, debugDescription: "not an instant")
            }
            expirationDateTime = date
        }
    }

    struct SubscriptionCreate: Encodable {
        let changeType: String
        let notificationUrl: String
        let lifecycleNotificationUrl: String?
        let resource: String
        let expirationDateTime: String
        let clientState: String
    }

    struct SubscriptionRenewal: Encodable { let expirationDateTime: String }

    /// The resource a subscription to one calendar's events names.
    public static func eventsResource(calendarID: String) -> String { "me/calendars/\(calendarID)/events" }

    /// `POST /subscriptions` (api-reference/v1.0/api/subscription-post-subscriptions.md) for the created, updated and
    /// deleted events of one calendar. Graph first sends the validation request to both addresses and creates the
    /// subscription only when each answered with its token, so the app must be serving them. `clientState` (at most
    /// 128 characters) comes back in every notification: the secret that tells Graph's notifications from forgeries.
    /// A retry after a lost answer may leave a second subscription behind: it expires unrenewed, and its notifications
    /// name a subscription id the app does not keep (ignored).
    public func createSubscription(calendarID: String, notificationURL: String, lifecycleURL: String?, expiration: Date, clientState: String,
                                   accessToken: String) async throws(MicrosoftError) -> Subscription {
        let body = SubscriptionCreate(changeType: "created,updated,deleted", notificationUrl: notificationURL, lifecycleNotificationUrl: lifecycleURL,
                                      resource: Self.eventsResource(calendarID: calendarID), expirationDateTime: Self.instant(expiration),
                                      clientState: clientState)
        return try await decode(try await send(.POST, url: url(["subscriptions"]), body: try encode(body), accessToken: accessToken,
                                               shape: ["subscriptions"], prefer: []))
    }

    /// `PATCH /subscriptions/{id}` (subscription-update.md): a later expiration; also how a subscription is
    /// reauthorized after a `reauthorizationRequired` lifecycle notification. `.notFound` when Graph removed it.
    public func renewSubscription(id: String, expiration: Date, accessToken: String) async throws(MicrosoftError) -> Subscription {
        try await decode(try await send(.PATCH, url: url(["subscriptions", id]), body: try encode(SubscriptionRenewal(expirationDateTime: Self.instant(expiration))),
                                        accessToken: accessToken, shape: ["subscriptions", "{id}"], prefer: []))
    }

    /// `DELETE /subscriptions/{id}` (subscription-delete.md); one already gone counts as deleted.
    public func deleteSubscription(id: String, accessToken: String) async throws(MicrosoftError) {
        do {
            _ = try await send(.DELETE, url: url(["subscriptions", id]), accessToken: accessToken, shape: ["subscriptions", "{id}"], prefer: [])
        } catch .notFound {
            return
        }
    }

    /// Graph writes `expirationDateTime` with fractional seconds and an offset (`2026-12-03T19:00:00.1234567Z`,
    /// `…+00:00`).
    static func parseInstant(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        // More than three fractional digits: drop the digits past the milliseconds.
        if let match = text.firstMatch(of: /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/) {
            let fraction = match.2.map { String($0.prefix(4)) } ?? ""
            return try? Date(String(match.1) + fraction + String(match.3), strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: !fraction.isEmpty))
        }
        return nil
    }
}
