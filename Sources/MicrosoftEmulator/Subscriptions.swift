import Foundation

/// A change-notification subscription (api-reference/v1.0/resources/subscription.md).
public struct Subscription: Sendable, Encodable, Equatable {
    public var id: String
    public var resource: String
    public var changeType: String
    public var notificationUrl: String
    public var lifecycleNotificationUrl: String?
    public var expirationDateTime: Date
    public var applicationId: String
    /// Echoed in every notification; never listed by the control API.
    var clientState: String?
    var oid: String
    var tenantID: String
    /// The calendars the resource covers (all of the account's for `me/events`).
    var calendarIDs: [String]

    enum CodingKeys: String, CodingKey { case id, resource, changeType, notificationUrl, lifecycleNotificationUrl, expirationDateTime, applicationId }

    func json() -> JSON {
        var json: JSON = ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
                          "id": .string(id), "resource": .string(resource), "changeType": .string(changeType),
                          "notificationUrl": .string(notificationUrl), "applicationId": .string(applicationId),
                          "expirationDateTime": .string(GraphTime.offset(expirationDateTime)),
                          "clientState": clientState.map(JSON.string) ?? .null, "latestSupportedTlsVersion": "v1_2",
                          "notificationUrlAppId": .null, "includeResourceData": false]
        json["lifecycleNotificationUrl"] = lifecycleNotificationUrl.map(JSON.string) ?? .null
        return json
    }
}

/// A POST the emulator makes to an app: a validation request or a notification.
public struct WebhookPost: Sendable {
    public var url: String
    public var body: Data
    public var contentType: String
    /// How long Graph waits for the answer: 10 s for a validation request (the app must answer within 10 seconds,
    /// concepts/change-notifications-delivery-webhooks.md "notificationUrl validation"); 3 s for a notification
    /// (same page, "Throttling": "Notifications are published using an HTTP client with a 3-second timeout").
    public var timeout: Duration = .seconds(3)
}

public struct WebhookAnswer: Sendable {
    public var status: Int
    public var contentType: String?
    public var body: String

    public init(status: Int, contentType: String?, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// What the emulator sent to an app and how it answered (the control API lists them).
public struct NotificationRecord: Sendable, Codable, Equatable {
    public var subscriptionID: String
    /// `validation`, `change` or `lifecycle`.
    public var kind: String
    /// The change type (created, updated, deleted) or lifecycle event.
    public var event: String?
    public var resource: String?
    public var status: Int?
    public var at: Date
}

extension MicrosoftEmulatorState {
    public func setWebhookPoster(_ poster: @escaping @Sendable (WebhookPost) async -> WebhookAnswer?) { webhookPoster = poster }
    public func allowPlainHTTPNotifications(_ allowed: Bool) { allowsPlainHTTPNotifications = allowed }
    public func notificationRecords() -> [NotificationRecord] { notifications }
    public func clearNotificationRecords() { notifications.removeAll() }
    public func allSubscriptions() -> [Subscription] { subscriptions.values.sorted { $0.id < $1.id } }

    /// `me/events`, `me/calendar/events`, `me/calendars/{id}/events`, `users/{oid|email}/…` → the calendars covered.
    func calendars(forResource resource: String, account: Account) throws(GraphError) -> [String] {
        var parts = resource.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { throw GraphError(400, "InvalidRequest", "The resource \(resource) is not supported.") }
        let owner = parts.removeFirst().lowercased()
        if owner == "users" {
            let who = parts.removeFirst().lowercased()
            guard who == account.oid.lowercased() || who == account.email.lowercased() else {
                throw GraphError(403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]")
            }
        } else if owner != "me" {
            throw GraphError(400, "InvalidRequest", "The resource \(resource) is not supported.")
        }
        switch parts.map({ $0.lowercased() }) {
        case ["events"]: return calendars(ownedBy: account.email).map(\.id)
        case ["calendar", "events"]: return defaultCalendar(of: account.email).map { [$0.id] } ?? []
        case let p where p.count == 3 && p[0] == "calendars" && p[2] == "events":
            guard let calendar = calendar(id: parts[1], for: account) else { throw .notFound() }
            return [calendar.id]
        default: throw GraphError(400, "InvalidRequest", "The resource \(resource) is not supported.")
        }
    }

    /// POST /subscriptions (api-reference/v1.0/api/subscription-post-subscriptions.md), with the validation
    /// handshake of concepts/webhooks.md for notificationUrl and lifecycleNotificationUrl alike.
    func createSubscription(_ body: JSON, account: Account, clientID: String) async throws(GraphError) -> Subscription {
        guard let changeType = body["changeType"]?.string, !changeType.isEmpty,
              changeType.split(separator: ",").allSatisfy({ ["created", "updated", "deleted"].contains($0) }) else {
            throw GraphError(400, "InvalidRequest", "changeType must be a comma-separated list of created, updated and deleted.")
        }
        guard let url = body["notificationUrl"]?.string else { throw GraphError(400, "InvalidRequest", "notificationUrl is required.") }
        guard let resource = body["resource"]?.string else { throw GraphError(400, "InvalidRequest", "resource is required.") }
        guard let expiration = body["expirationDateTime"]?.string.flatMap(GraphTime.queryInstant) else {
            throw GraphError(400, "InvalidRequest", "expirationDateTime is required.")
        }
        let clientState = body["clientState"]?.string
        if let clientState, clientState.count > 128 { throw GraphError(400, "InvalidRequest", "clientState must be at most 128 characters.") }
        try checkExpiration(expiration)
        let lifecycleURL = body["lifecycleNotificationUrl"]?.string
        for address in [url] + (lifecycleURL.map { [$0] } ?? []) {
            guard address.hasPrefix("https://") || (allowsPlainHTTPNotifications && address.hasPrefix("http://")) else {
                throw GraphError(400, "InvalidRequest", "The Notification Url must use https.")
            }
        }
        let calendarIDs = try calendars(forResource: resource.hasPrefix("/") ? String(resource.dropFirst()) : resource, account: account)
        let id = UUID().uuidString.lowercased()
        for address in [url] + (lifecycleURL.map { [$0] } ?? []) {
            try await validate(address, subscriptionID: id)
        }
        let subscription = Subscription(id: id, resource: resource, changeType: changeType, notificationUrl: url, lifecycleNotificationUrl: lifecycleURL,
                                        expirationDateTime: expiration, applicationId: clientID, clientState: clientState, oid: account.oid,
                                        tenantID: account.tenantID, calendarIDs: calendarIDs)
        subscriptions[id] = subscription
        return subscription
    }

    func checkExpiration(_ expiration: Date) throws(GraphError) {
        let latest = Date().addingTimeInterval(TimeInterval(maximumSubscriptionMinutes * 60))
        guard expiration > Date() else { throw GraphError(400, "InvalidRequest", "Subscription expiration must be in the future.") }
        guard expiration <= latest else {
            throw GraphError(400, "InvalidRequest", "Subscription expiration can only be \(maximumSubscriptionMinutes) minutes in the future.")
        }
    }

    /// The app must answer 200 with the decoded token as text/plain within 10 seconds (the poster's timeout).
    func validate(_ address: String, subscriptionID: String) async throws(GraphError) {
        let token = "Validation: Testing client application reachability for subscription Request-Id: " + UUID().uuidString.lowercased()
        guard var components = URLComponents(string: address) else { throw GraphError(400, "InvalidRequest", "The notification URL is not a URL.") }
        let existing = components.queryItems ?? []
        components.queryItems = existing + [URLQueryItem(name: "validationToken", value: token)]
        let target = components.url?.absoluteString ?? address
        let answer = await webhookPoster?(WebhookPost(url: target, body: Data(), contentType: "text/plain; charset=utf-8", timeout: .seconds(10)))
        notifications.append(NotificationRecord(subscriptionID: subscriptionID, kind: "validation", event: nil, resource: address, status: answer?.status, at: Date()))
        guard let answer, answer.status == 200, answer.body == token,
              answer.contentType?.lowercased().hasPrefix("text/plain") ?? false else {
            throw GraphError(400, "InvalidRequest",
                             "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.")
        }
    }

    /// PATCH /subscriptions/{id} (api-reference/v1.0/api/subscription-update.md): a new expirationDateTime.
    func renewSubscription(id: String, _ body: JSON, account: Account) throws(GraphError) -> Subscription {
        guard var subscription = subscriptions[id], subscription.oid == account.oid else {
            throw GraphError(404, "ResourceNotFound", "The object was not found.")
        }
        if let expiration = body["expirationDateTime"]?.string {
            guard let date = GraphTime.queryInstant(expiration) else { throw GraphError(400, "InvalidRequest", "expirationDateTime is not a date.") }
            try checkExpiration(date)
            subscription.expirationDateTime = date
        }
        if let url = body["notificationUrl"]?.string { subscription.notificationUrl = url }
        subscriptions[id] = subscription
        return subscription
    }

    func deleteSubscription(id: String, account: Account) throws(GraphError) {
        guard let subscription = subscriptions[id], subscription.oid == account.oid else {
            throw GraphError(404, "ResourceNotFound", "The object was not found.")
        }
        subscriptions[id] = nil
    }

    func subscription(id: String, account: Account) throws(GraphError) -> Subscription {
        guard let subscription = subscriptions[id], subscription.oid == account.oid else {
            throw GraphError(404, "ResourceNotFound", "The object was not found.")
        }
        return subscription
    }

    /// A change to an event: every live subscription covering its calendar for that change type is notified
    /// (concepts/change-notifications-delivery-webhooks.md: {"value": [{subscriptionId, clientState, changeType,
    /// resource, resourceData, subscriptionExpirationDateTime, tenantId}]}).
    func eventChanged(calendarID: String, eventID: String, change: String) {
        for subscription in subscriptions.values.sorted(by: { $0.id < $1.id })
        where subscription.calendarIDs.contains(calendarID) && subscription.expirationDateTime > Date()
            && subscription.changeType.split(separator: ",").contains(Substring(change)) {
            let resource = "Users/\(subscription.oid)/Events/\(eventID)"
            let notification: JSON = ["value": [[
                "subscriptionId": .string(subscription.id), "subscriptionExpirationDateTime": .string(GraphTime.offset(subscription.expirationDateTime)),
                "changeType": .string(change), "resource": .string(resource), "clientState": subscription.clientState.map(JSON.string) ?? .null,
                "tenantId": .string(subscription.tenantID),
                "resourceData": ["@odata.type": "#Microsoft.Graph.Event", "@odata.id": .string(resource), "id": .string(eventID)],
            ]]]
            send(notification, to: subscription.notificationUrl, record: NotificationRecord(
                subscriptionID: subscription.id, kind: "change", event: change, resource: resource, status: nil, at: Date()))
        }
    }

    /// Lifecycle notifications (concepts/change-notifications-lifecycle-events.md): reauthorizationRequired,
    /// subscriptionRemoved (the subscription is gone) and missed, sent to lifecycleNotificationUrl.
    public func sendLifecycleEvent(_ event: String, subscriptionID: String) throws(GraphError) {
        guard ["reauthorizationRequired", "subscriptionRemoved", "missed"].contains(event) else {
            throw GraphError(400, "InvalidRequest", "lifecycleEvent must be reauthorizationRequired, subscriptionRemoved or missed.")
        }
        guard let subscription = subscriptions[subscriptionID] else { throw GraphError(404, "ResourceNotFound", "The object was not found.") }
        guard let address = subscription.lifecycleNotificationUrl else {
            throw GraphError(400, "InvalidRequest", "The subscription has no lifecycleNotificationUrl.")
        }
        let notification: JSON = ["value": [[
            "subscriptionId": .string(subscription.id), "subscriptionExpirationDateTime": .string(GraphTime.offset(subscription.expirationDateTime)),
            "tenantId": .string(subscription.tenantID), "clientState": subscription.clientState.map(JSON.string) ?? .null,
            "lifecycleEvent": .string(event),
        ]]]
        if event == "subscriptionRemoved" { subscriptions[subscriptionID] = nil }
        send(notification, to: address, record: NotificationRecord(subscriptionID: subscription.id, kind: "lifecycle", event: event,
                                                                   resource: subscription.resource, status: nil, at: Date()))
    }

    /// Delivered in the background so a write is never held up by the app; the app's status is recorded.
    private func send(_ body: JSON, to address: String, record: NotificationRecord) {
        guard let poster = webhookPoster else { notifications.append(record); return }
        let index = notifications.count
        notifications.append(record)
        let data = body.data()
        Task { [weak self] in
            let answer = await poster(WebhookPost(url: address, body: data, contentType: "application/json"))
            await self?.recordDelivery(index: index, status: answer?.status)
        }
    }

    private func recordDelivery(index: Int, status: Int?) {
        if notifications.indices.contains(index) { notifications[index].status = status ?? 0 }
    }
}
