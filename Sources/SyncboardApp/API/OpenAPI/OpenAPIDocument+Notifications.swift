import OpenAPIKit30

/// The notification operations of the API document (issue 15): settings, webhooks, deliveries, notices; their
/// schemas follow `NotificationsAPIController`'s DTOs, with enums from the notification models.
extension OpenAPIDocument {
    static var webhookID: Parameter { pathParameter("webhookID", "A webhook's id (from addWebhook or listWebhooks)") }

    static var notificationPaths: OrderedDictionary<String, OpenAPI.PathItem> {
        [
            "/notifications/settings": .init(
                get: operation("getNotificationSettings", "Where messages go, which kinds, the digest window", tag: "notifications",
                               responses: [200: json(ref("NotificationSettings"), "The settings (defaults when never changed)")]),
                put: operation("updateNotificationSettings", "Change some of the settings (fields left out stay as they are)", tag: "notifications",
                               body: ref("NotificationSettingsInput"),
                               bodyExample: jsonValue(#"{"categories": ["\#(NoticeCategory.problems.rawValue)", "\#(NoticeCategory.recoveries.rawValue)"], "digestMinutes": 15}"#),
                               responses: [200: json(ref("NotificationSettings"), "The settings as saved")], errors: [422])),
            "/notifications/settings/address": .init(
                post: operation("requestNotificationAddress", "Send messages to another address, once confirmed", tag: "notifications",
                                description: "Emails a confirmation link to the address; messages go there only after the link is opened while signed in. 422 when the address is not one, or when this server cannot send email.",
                                body: object(required: ["address"], ["address": .string(format: .other("email"), maxLength: 254)]),
                                bodyExample: jsonValue(#"{"address": "ops@example.org"}"#),
                                responses: [202: json(object(required: ["pendingEmail", "message"], ["pendingEmail": string, "message": string]),
                                                      "The confirmation link is sent")],
                                errors: [422])),
            "/notifications/webhooks": .init(
                get: operation("listWebhooks", "Your webhook endpoints (never their secret or full URL)", tag: "notifications",
                               responses: [200: json(array(ref("Webhook")), "The endpoints, oldest first")]),
                post: operation("addWebhook", "Add an HTTPS endpoint; its signing secret is in this answer only", tag: "notifications",
                                description: "Refused (422, field url) when the URL is not https, or resolves to a loopback, private or link-local address (unless the operator allows them), or when you have 10 already.",
                                body: ref("WebhookInput"),
                                bodyExample: jsonValue(#"{"url": "https://hooks.example.org/syncboard", "format": "\#(WebhookEndpoint.Format.syncboard.rawValue)"}"#),
                                responses: [201: json(ref("WebhookCreated"), "Added", headers: ["Location": header("The webhook's path", required: false)],
                                                      links: ["testWebhook": link("testWebhook", ["webhookID": "$response.body#/webhook/id"]),
                                                              "removeWebhook": link("removeWebhook", ["webhookID": "$response.body#/webhook/id"])])],
                                errors: [422])),
            "/notifications/webhooks/{webhookID}": .init(
                delete: operation("removeWebhook", "Remove an endpoint: it receives nothing more", tag: "notifications", parameters: [webhookID],
                                  responses: [204: empty("Removed")])),
            "/notifications/webhooks/{webhookID}/test": .init(
                post: operation("testWebhook", "Queue a test event for one endpoint", tag: "notifications", parameters: [webhookID],
                                responses: [202: json(ref("Delivery"), "Queued; follow it in listDeliveries")])),
            "/notifications/deliveries": .init(
                get: operation("listDeliveries", "Recent messages (email and webhook) with each delivery attempt and its result", tag: "notifications",
                               responses: [200: json(array(ref("Delivery")), "Newest first, at most 50")])),
            "/notifications/notices": .init(
                get: operation("listNotices", "Recent notices (what the dashboard shows) and how many are unread", tag: "notifications",
                               responses: [200: json(ref("NoticeList"), "Newest first, at most 50")])),
            "/notifications/notices/read": .init(
                post: operation("markNoticesRead", "Mark every notice read", tag: "notifications", responses: [204: empty("All read")])),
        ]
    }

    static var notificationSchemas: OrderedDictionary<String, JSONSchema> {
        let categories = enumeration(NoticeCategory.self)
        // The digest window: one of the choices the settings service takes, or null (left as it is).
        let digest = JSONSchema.integer(nullable: true, description: "Minutes; 0 sends each message at once",
                                        allowedValues: NotificationSettingsService.digestChoices.map { AnyCodable($0) } + [nil])
        let attempt = object(required: ["attempt", "startedAt", "result"], [
            "attempt": integer, "startedAt": dateTime, "finishedAt": nullable(dateTime),
            "result": enumeration(DeliveryAttempt.Result.self,
                                  description: "unknown: the worker stopped between sending and recording; the message is sent again with the same id"),
            "detail": nullable(string),
        ])
        // A webhook's format as sent: any format, or null for the default.
        let format = JSONSchema.string(nullable: true, description: "syncboard (also when null or left out): the signed JSON event (docs/notifications.md); slack: an incoming-webhook body",
                                       allowedValues: WebhookEndpoint.Format.allCases.map { AnyCodable($0.rawValue) } + [nil],
                                       defaultValue: AnyCodable(WebhookEndpoint.Format.syncboard.rawValue))
        return [
            "NotificationSettings": object(required: ["emailEnabled", "emailAddress", "signInEmail", "categories", "digestMinutes", "emailConfigured"], [
                "emailEnabled": boolean, "emailAddress": .string(description: "Where email goes"),
                "signInEmail": string, "pendingEmail": .string(nullable: true, description: "Waiting for its confirmation link"),
                "categories": array(categories), "digestMinutes": integer,
                "emailConfigured": .boolean(description: "Whether this server can send email at all"),
            ]),
            "NotificationSettingsInput": object(description: "A field left out or null stays as it is", [
                "emailEnabled": nullable(boolean), "categories": nullable(array(categories)), "digestMinutes": digest,
                "useSignInAddress": .boolean(nullable: true, description: "true: email goes to the sign-in address again"),
            ]),
            "WebhookInput": object(required: ["url"], [
                "url": .string(description: "An https:// URL whose host resolves to public addresses only (refused with 422 otherwise; http:// and private addresses only where the operator allows them)",
                               maxLength: 2048, pattern: "^https?://"),
                "format": format,
            ]),
            "Webhook": object(required: ["id", "displayUrl", "format", "createdAt"], [
                "id": uuid, "displayUrl": .string(description: "Scheme, host and the path's first characters"),
                "format": enumeration(WebhookEndpoint.Format.self), "createdAt": dateTime,
            ]),
            "WebhookCreated": object(required: ["webhook", "secret"], [
                "webhook": ref("Webhook"), "secret": .string(description: "whsec_…: shown only in this answer"),
            ]),
            "Delivery": object(required: ["id", "channel", "destination", "status", "createdAt", "notices", "attempts"], [
                "id": uuid, "channel": enumeration(OutboxMessage.Channel.self),
                "destination": .string(description: "The address, or the webhook's display URL"),
                "status": enumeration(OutboxMessage.Status.self), "createdAt": dateTime, "nextAttemptAt": nullable(dateTime),
                "notices": array(string), "attempts": array(attempt),
            ]),
            "Notice": object(required: ["id", "category", "event", "title", "body", "actionLabel", "actionPath", "createdAt", "read"], [
                "id": uuid, "category": categories, "event": enumeration(Notice.Event.self), "title": string, "body": string,
                "actionLabel": string, "actionPath": string, "jobId": nullable(uuid), "accountId": nullable(uuid), "createdAt": dateTime,
                "read": boolean,
            ]),
            "NoticeList": object(required: ["unread", "notices"], ["unread": integer, "notices": array(ref("Notice"))]),
        ]
    }
}
