import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// The notification operations of the JSON API over HTTP with a bearer token, and their OpenAPI description.
@Suite("Notifications API")
struct NotificationsAPITests {
    static func token(_ user: User, _ app: Application, scope: PersonalAccessToken.Scope = .readWrite) async throws -> String {
        try await PersonalAccessTokens(db: app.db).issue(userID: try user.requireID(), name: "script", scope: scope, expiresAt: nil).secret
    }

    static func object(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    @Test("settings read and change; bad values answer 422 naming the field and change nothing; a read-only token cannot write")
    func settings() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app, digestMinutes: 5)
            let http = try await LiveHTTP.serve(app)
            let token = try await Self.token(setup.user, app)

            let read = try await http.api(.GET, "/api/v1/notifications/settings", token: token)
            #expect(read.status == 200)
            var body = try Self.object(read.body)
            #expect(body["emailAddress"] as? String == "ada@example.com" && body["digestMinutes"] as? Int == 5)
            #expect(body["categories"] as? [String] == ["problems", "recoveries", "accounts"])

            let changed = try await http.api(.PUT, "/api/v1/notifications/settings", token: token, json: #"{"categories":["accounts"],"digestMinutes":60}"#)
            #expect(changed.status == 200)
            body = try Self.object(changed.body)
            #expect(body["categories"] as? [String] == ["accounts"] && body["digestMinutes"] as? Int == 60 && body["emailEnabled"] as? Bool == true)

            for bad in [#"{"categories":["spam"]}"#, #"{"digestMinutes":7}"#] {
                let answer = try await http.api(.PUT, "/api/v1/notifications/settings", token: token, json: bad)
                #expect(answer.status == 422)
                let fields = try Self.object(answer.body)["fields"] as? [[String: Any]]
                #expect(fields?.first?["field"] as? String == (bad.contains("spam") ? "categories" : "digestMinutes"))
            }
            let preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.categories == [.accounts] && preferences.digestMinutes == 60)

            let readOnly = try await Self.token(setup.user, app, scope: .readOnly)
            #expect(try await http.api(.PUT, "/api/v1/notifications/settings", token: readOnly, json: #"{"digestMinutes":0}"#).status == 403)
            #expect(try await http.api(.GET, "/api/v1/notifications/settings", token: readOnly).status == 200)
            // Email needs a mail server: without one the address cannot be confirmed, and says so.
            let address = try await http.api(.POST, "/api/v1/notifications/settings/address", token: token, json: #"{"address":"ops@example.net"}"#)
            #expect(address.status == 422 && address.body.contains("SYNCBOARD_SMTP_URL"))
        }
    }

    @Test("webhooks: add (secret in that answer only), private address refused, test delivered and listed with its attempt, remove; notices with the unread count")
    func webhooksAndNotices() async throws {
        let receiver = try await WebhookTests.Receiver()
        do {
            try await TestApp.withApp(on: .sqlite) { app in
                let setup = try await NotificationFixtures.make(app)
                let http = try await LiveHTTP.serve(app)
                let token = try await Self.token(setup.user, app)

                let refused = try await http.api(.POST, "/api/v1/notifications/webhooks", token: token, json: #"{"url":"\#(receiver.url)"}"#)
                #expect(refused.status == 422)
                #expect(refused.body.contains("\"field\":\"url\""))

                app.syncboard.configuration.delivery.allowPrivateWebhooks = true
                let added = try await http.api(.POST, "/api/v1/notifications/webhooks", token: token, json: #"{"url":"\#(receiver.url)","format":"syncboard"}"#)
                #expect(added.status == 201)
                let created = try Self.object(added.body)
                let secret = try #require(created["secret"] as? String)
                let id = try #require((created["webhook"] as? [String: Any])?["id"] as? String)
                #expect(added.location == "/api/v1/notifications/webhooks/\(id)")
                let list = try await http.api(.GET, "/api/v1/notifications/webhooks", token: token)
                #expect(list.status == 200 && list.body.contains(id) && !list.body.contains(secret))

                let test = try await http.api(.POST, "/api/v1/notifications/webhooks/\(id)/test", token: token)
                #expect(test.status == 202)
                try await NotificationFixtures.deliverer(app).deliverDue()
                #expect(receiver.requests.count == 1)
                let deliveries = try await http.api(.GET, "/api/v1/notifications/deliveries", token: token)
                let first = try #require((try JSONSerialization.jsonObject(with: Data(deliveries.body.utf8)) as? [[String: Any]])?.first)
                #expect(first["status"] as? String == "sent" && first["channel"] as? String == "webhook")
                #expect((first["attempts"] as? [[String: Any]])?.map { $0["result"] as? String } == ["sent"])

                // Another user's token finds nothing to remove.
                let other = try await Self.token(try await Fixtures.user(app.db, email: "mallory@example.com"), app)
                #expect(try await http.api(.DELETE, "/api/v1/notifications/webhooks/\(id)", token: other).status == 404)
                #expect(try await http.api(.DELETE, "/api/v1/notifications/webhooks/\(id)", token: token).status == 204)
                #expect(try await http.api(.DELETE, "/api/v1/notifications/webhooks/\(id)", token: token).status == 404)

                try await setup.run(app, setup.needsReconnect)
                var notices = try Self.object(try await http.api(.GET, "/api/v1/notifications/notices", token: token).body)
                #expect(notices["unread"] as? Int == 1)
                #expect((notices["notices"] as? [[String: Any]])?.first?["actionPath"] as? String == "/accounts")
                #expect(try await http.api(.POST, "/api/v1/notifications/notices/read", token: token).status == 204)
                notices = try Self.object(try await http.api(.GET, "/api/v1/notifications/notices", token: token).body)
                #expect(notices["unread"] as? Int == 0)
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test("every notification route is in the OpenAPI document with its error responses")
    func documented() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data()) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let expected: [(String, String, [String])] = [
            ("/notifications/settings", "get", ["200", "401"]), ("/notifications/settings", "put", ["200", "400", "422"]),
            ("/notifications/settings/address", "post", ["202", "422"]),
            ("/notifications/webhooks", "get", ["200"]), ("/notifications/webhooks", "post", ["201", "422"]),
            ("/notifications/webhooks/{webhookID}", "delete", ["204", "404"]), ("/notifications/webhooks/{webhookID}/test", "post", ["202", "404"]),
            ("/notifications/deliveries", "get", ["200"]), ("/notifications/notices", "get", ["200"]), ("/notifications/notices/read", "post", ["204"]),
        ]
        for (path, method, codes) in expected {
            let operation = try #require((paths[path] as? [String: Any])?[method] as? [String: Any], "\(method) \(path)")
            let responses = try #require(operation["responses"] as? [String: Any])
            for code in codes { #expect(responses[code] != nil, "\(method) \(path) \(code)") }
        }
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        for name in ["NotificationSettings", "NotificationSettingsInput", "Webhook", "WebhookCreated", "Delivery", "Notice", "NoticeList"] {
            #expect(schemas[name] != nil, "\(name)")
        }
    }
}
