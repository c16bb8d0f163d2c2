import Foundation

/// The notification operations of the API document (issue 15): settings, webhooks, deliveries, notices.
extension OpenAPIDocument {
    static var webhookID: Parameter { Parameter.path("webhookID", "A webhook's id (from addWebhook or listWebhooks)") }

    static var notificationPaths: JSON {
        [
            "/notifications/settings": [
                "get": operation("getNotificationSettings", "Where messages go, which kinds, the digest window", tag: "notifications",
                                 responses: ["200": json(ref("NotificationSettings"), "The settings (defaults when never changed)")]),
                "put": operation("updateNotificationSettings", "Change some of the settings (fields left out stay as they are)", tag: "notifications",
                                 body: ref("NotificationSettingsInput"), bodyExample: ["categories": ["problems", "recoveries"], "digestMinutes": 15] as JSON,
                                 responses: ["200": json(ref("NotificationSettings"), "The settings as saved")], errors: [422]),
            ],
            "/notifications/settings/address": [
                "post": operation("requestNotificationAddress", "Send messages to another address, once confirmed", tag: "notifications",
                                  description: "Emails a confirmation link to the address; messages go there only after the link is opened while signed in. 422 when the address is not one, or when this server cannot send email.",
                                  body: ["type": "object", "required": ["address"], "properties": ["address": ["type": "string", "format": "email", "maxLength": 254]]] as JSON,
                                  bodyExample: ["address": "ops@example.org"] as JSON,
                                  responses: ["202": json(["type": "object", "required": ["pendingEmail", "message"],
                                                           "properties": ["pendingEmail": string, "message": string]] as JSON, "The confirmation link is sent")],
                                  errors: [422]),
            ],
            "/notifications/webhooks": [
                "get": operation("listWebhooks", "Your webhook endpoints (never their secret or full URL)", tag: "notifications",
                                 responses: ["200": json(array(ref("Webhook")), "The endpoints, oldest first")]),
                "post": operation("addWebhook", "Add an HTTPS endpoint; its signing secret is in this answer only", tag: "notifications",
                                  description: "Refused (422, field url) when the URL is not https, or resolves to a loopback, private or link-local address (unless the operator allows them), or when you have 10 already.",
                                  body: ref("WebhookInput"), bodyExample: ["url": "https://hooks.example.org/syncboard", "format": "syncboard"] as JSON,
                                  responses: ["201": json(ref("WebhookCreated"), "Added", headers: ["Location": ["schema": string, "description": "The webhook's path"] as JSON],
                                                          links: ["testWebhook": ["operationId": "testWebhook", "parameters": ["webhookID": "$response.body#/webhook/id"]] as JSON,
                                                                  "removeWebhook": ["operationId": "removeWebhook", "parameters": ["webhookID": "$response.body#/webhook/id"]] as JSON])],
                                  errors: [422]),
            ],
            "/notifications/webhooks/{webhookID}": [
                "delete": operation("removeWebhook", "Remove an endpoint: it receives nothing more", tag: "notifications", parameters: [webhookID],
                                    responses: ["204": ["description": "Removed"] as JSON]),
            ],
            "/notifications/webhooks/{webhookID}/test": [
                "post": operation("testWebhook", "Queue a test event for one endpoint", tag: "notifications", parameters: [webhookID],
                                  responses: ["202": json(ref("Delivery"), "Queued; follow it in listDeliveries")]),
            ],
            "/notifications/deliveries": [
                "get": operation("listDeliveries", "Recent messages (email and webhook) with each delivery attempt and its result", tag: "notifications",
                                 responses: ["200": json(array(ref("Delivery")), "Newest first, at most 50")]),
            ],
            "/notifications/notices": [
                "get": operation("listNotices", "Recent notices (what the dashboard shows) and how many are unread", tag: "notifications",
                                 responses: ["200": json(ref("NoticeList"), "Newest first, at most 50")]),
            ],
            "/notifications/notices/read": [
                "post": operation("markNoticesRead", "Mark every notice read", tag: "notifications",
                                  responses: ["204": ["description": "All read"] as JSON]),
            ],
        ]
    }

    static var notificationSchemas: JSON {
        let categories = enumeration(NoticeCategory.allCases.map(\.rawValue))
        let digest: JSON = ["type": "integer", "enum": NotificationSettingsService.digestChoices.map { $0 as Any } + [NSNull()], "nullable": true,
                            "description": "Minutes; 0 sends each message at once"]
        let attempt: JSON = ["type": "object", "required": ["attempt", "startedAt", "result"], "properties": [
            "attempt": integer, "startedAt": dateTime, "finishedAt": nullable(dateTime),
            "result": ["type": "string", "enum": ["sending", "sent", "failed", "unknown"],
                       "description": "unknown: the worker stopped between sending and recording; the message is sent again with the same id"] as JSON,
            "detail": nullable(string),
        ] as JSON]
        return [
            "NotificationSettings": ["type": "object", "required": ["emailEnabled", "emailAddress", "signInEmail", "categories", "digestMinutes", "emailConfigured"],
                                     "properties": [
                                         "emailEnabled": ["type": "boolean"], "emailAddress": ["type": "string", "description": "Where email goes"],
                                         "signInEmail": string, "pendingEmail": nullable(["type": "string", "description": "Waiting for its confirmation link"]),
                                         "categories": array(categories), "digestMinutes": integer,
                                         "emailConfigured": ["type": "boolean", "description": "Whether this server can send email at all"],
                                     ] as JSON] as JSON,
            "NotificationSettingsInput": ["type": "object", "description": "A field left out or null stays as it is", "properties": [
                "emailEnabled": nullable(["type": "boolean"]), "categories": nullable(array(categories)), "digestMinutes": digest,
                "useSignInAddress": nullable(["type": "boolean", "description": "true: email goes to the sign-in address again"]),
            ] as JSON] as JSON,
            "WebhookInput": ["type": "object", "required": ["url"], "properties": [
                "url": ["type": "string", "pattern": "^https?://", "maxLength": 2048,
                        "description": "An https:// URL whose host resolves to public addresses only (refused with 422 otherwise; http:// and private addresses only where the operator allows them)"],
                "format": ["type": "string", "enum": ["syncboard", "slack", NSNull()], "nullable": true, "default": "syncboard",
                           "description": "syncboard (also when null or left out): the signed JSON event (docs/notifications.md); slack: an incoming-webhook body"],
            ] as JSON] as JSON,
            "Webhook": ["type": "object", "required": ["id", "displayUrl", "format", "createdAt"], "properties": [
                "id": uuid, "displayUrl": ["type": "string", "description": "Scheme, host and the path's first characters"],
                "format": enumeration(["syncboard", "slack"]), "createdAt": dateTime,
            ] as JSON] as JSON,
            "WebhookCreated": ["type": "object", "required": ["webhook", "secret"], "properties": [
                "webhook": ref("Webhook"), "secret": ["type": "string", "description": "whsec_…: shown only in this answer"],
            ] as JSON] as JSON,
            "Delivery": ["type": "object", "required": ["id", "channel", "destination", "status", "createdAt", "notices", "attempts"], "properties": [
                "id": uuid, "channel": enumeration(["email", "webhook"]), "destination": ["type": "string", "description": "The address, or the webhook's display URL"],
                "status": enumeration(OutboxMessage.Status.allCases.map(\.rawValue)), "createdAt": dateTime, "nextAttemptAt": nullable(dateTime),
                "notices": array(string), "attempts": array(attempt),
            ] as JSON] as JSON,
            "Notice": ["type": "object", "required": ["id", "category", "event", "title", "body", "actionLabel", "actionPath", "createdAt", "read"], "properties": [
                "id": uuid, "category": categories, "event": enumeration(["opened", "resolved", "test"]), "title": string, "body": string,
                "actionLabel": string, "actionPath": string, "jobId": nullable(uuid), "accountId": nullable(uuid), "createdAt": dateTime,
                "read": ["type": "boolean"],
            ] as JSON] as JSON,
            "NoticeList": ["type": "object", "required": ["unread", "notices"], "properties": [
                "unread": integer, "notices": array(ref("Notice")),
            ] as JSON] as JSON,
        ]
    }
}
