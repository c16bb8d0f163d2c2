import Crypto
import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// Settings → Notifications over HTTP: preferences, another address confirmed by a link, webhooks (secret shown
/// once, test, remove, deliveries with their attempts), and the dashboard's notices.
@Suite("Notification settings page")
struct NotificationSettingsPageTests {
    @Test("the page is signed-in only, linked from the main navigation, and saves categories and the digest window; a bad value is shown by its field and changes nothing")
    func preferences() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app, digestMinutes: 5)
            let server = try await LiveHTTP.serve(app)
            let anonymous = try await server.get("/settings/notifications")
            #expect(anonymous.status == 303 || anonymous.status == 302)
            let http = try await server.signedIn(setup.user, on: app)

            let page = try await http.get("/settings/notifications")
            #expect(page.status == 200)
            #expect(page.body.contains("<a href=\"/settings/notifications\" aria-current=\"page\">Notifications</a>"))
            #expect(page.body.contains("<main") && page.body.contains("<h1>Notifications</h1>"))
            #expect(page.body.contains("Email goes to <strong>ada@example.com</strong> (your sign-in address)"))
            #expect(page.body.contains("<legend>Kinds of messages</legend>"))

            let saved = try await http.post("/settings/notifications", form: [("emailEnabled", "on"), ("category_problems", "on"), ("digestMinutes", "15")])
            #expect(saved.status == 303)
            var preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.categories == [.problems] && preferences.digestMinutes == 15 && preferences.emailEnabled)

            let bad = try await http.post("/settings/notifications", form: [("category_accounts", "on"), ("digestMinutes", "7")])
            #expect(bad.status == 422)
            #expect(bad.body.contains("id=\"digest-error\""))
            #expect(bad.body.contains("aria-describedby=\"digest-hint digest-error\""))
            preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.categories == [.problems] && preferences.digestMinutes == 15)

            // Email off: a problem still becomes a notice, but no email is queued.
            _ = try await http.post("/settings/notifications", form: [("category_problems", "on"), ("digestMinutes", "0")])
            try await setup.run(app, setup.needsReconnect)
            #expect(try await Notice.query(on: app.db).count() == 1)
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
        }
    }

    @Test("another address receives a confirmation link over SMTP; only opening it while signed in moves messages there; a wrong code changes nothing")
    func confirmAddress() async throws {
        let smtp = try await SMTPTestServer.start()
        defer { smtp.stop() }
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.delivery.smtp = smtp.settings()
            let setup = try await NotificationFixtures.make(app)
            let http = try await LiveHTTP.serve(app).signedIn(setup.user, on: app)

            let invalid = try await http.post("/settings/notifications/address", form: [("address", "not an address")])
            #expect(invalid.status == 422)
            #expect(invalid.body.contains("id=\"address-error\"") && invalid.body.contains("aria-describedby=\"address-hint address-error\""))

            let sent = try await http.post("/settings/notifications/address", form: [("address", "ops@example.net")])
            #expect(sent.status == 303)
            let mail = try #require(try await smtp.waitForMessages(1).first)
            #expect(mail.recipients == ["ops@example.net"])
            let link = try #require(mail.text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://sync.example.org/settings/notifications/confirm?code=") })
            let code = String(link.split(separator: "=").last!)
            // Until the link is opened, messages go to the sign-in address; the code is stored only as a hash.
            var preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.emailAddress == nil && preferences.pendingEmail == "ops@example.net")
            #expect(preferences.pendingEmailDigest != code)
            #expect(try await http.get("/settings/notifications").body.contains("A confirmation link was sent to <strong>ops@example.net</strong>"))

            let wrong = try await http.get("/settings/notifications/confirm?code=\(code)x")
            #expect(wrong.status == 400)
            // Someone else's session cannot confirm it.
            let stranger = try await Fixtures.user(app.db, email: "mallory@example.com")
            _ = try await LiveHTTP(port: http.port).signedIn(stranger, on: app).get("/settings/notifications/confirm?code=\(code)")
            #expect(try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db).emailAddress == nil)

            let confirmed = try await http.get("/settings/notifications/confirm?code=\(code)")
            #expect(confirmed.status == 303)
            preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.emailAddress == "ops@example.net" && preferences.pendingEmail == nil)
            #expect(try await http.get("/settings/notifications").body.contains("Email goes to <strong>ops@example.net</strong> (confirmed)"))
            // The link works once.
            #expect(try await http.get("/settings/notifications/confirm?code=\(code)").status == 400)

            try await setup.run(app, setup.needsReconnect)
            try await NotificationFixtures.deliverer(app).deliverDue(now: Date().addingTimeInterval(3600))
            let messages = try await smtp.waitForMessages(2)
            #expect(messages[1].recipients == ["ops@example.net"])

            _ = try await http.post("/settings/notifications/address/reset")
            #expect(try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db).emailAddress == nil)
        }
    }

    @Test("a webhook is added with its secret shown once, a private address is refused by the URL field, a test is delivered signed and its attempt listed, and removal stops it")
    func webhooks() async throws {
        let receiver = try await WebhookTests.Receiver()
        do {
            try await TestApp.withApp(on: .sqlite) { app in
                let setup = try await NotificationFixtures.make(app)
                let http = try await LiveHTTP.serve(app).signedIn(setup.user, on: app)

                let refused = try await http.post("/settings/notifications/webhooks", form: [("url", receiver.url), ("format", "syncboard")])
                #expect(refused.status == 422)
                #expect(refused.body.contains("id=\"webhook-url-error\""))
                #expect(refused.body.contains("aria-describedby=\"webhook-url-hint webhook-url-error\""))
                #expect(try await WebhookEndpoint.query(on: app.db).count() == 0)

                app.syncboard.configuration.delivery.allowPrivateWebhooks = true
                let added = try await http.post("/settings/notifications/webhooks", form: [("url", receiver.url), ("format", "syncboard")])
                #expect(added.status == 200)
                let secret = try #require(added.body.firstRange(of: #/whsec_[A-Za-z0-9_-]+/#).map { String(added.body[$0]) })
                let endpoint = try #require(try await WebhookEndpoint.query(on: app.db).first())
                let id = try endpoint.requireID().uuidString
                let page = try await http.get("/settings/notifications")
                #expect(!page.body.contains(secret))
                #expect(page.body.contains("webhook-\(id)"))

                let test = try await http.post("/settings/notifications/webhooks/\(id)/test")
                #expect(test.status == 303)
                try await NotificationFixtures.deliverer(app).deliverDue()
                let request = try #require(receiver.requests.first)
                let timestamp = try #require(request.headers.first(name: "Syncboard-Timestamp").flatMap(Int.init))
                #expect(request.headers.first(name: "Syncboard-Signature") == WebhookEvent.signature(secret: secret, timestamp: timestamp, body: request.body))
                let event = try JSONDecoder().decode(WebhookEvent.self, from: request.body)
                #expect(event.event == "test" && event.version == 1)

                let deliveries = try await http.get("/settings/notifications")
                #expect(deliveries.body.contains("Test message from Syncboard"))
                #expect(deliveries.body.contains("answered 200"))
                #expect(deliveries.body.contains("<td class=\"delivery-status\">sent</td>"))

                // Another user cannot test or remove it.
                let mallory = try await LiveHTTP(port: http.port).signedIn(try await Fixtures.user(app.db, email: "mallory@example.com"), on: app)
                #expect(try await mallory.post("/settings/notifications/webhooks/\(id)/remove").status == 404)
                #expect(try await mallory.post("/settings/notifications/webhooks/\(id)/test").status == 404)

                #expect(try await http.post("/settings/notifications/webhooks/\(id)/remove").status == 303)
                #expect(try await WebhookEndpoint.query(on: app.db).count() == 0)
                try await setup.run(app, setup.needsReconnect)
                #expect(try await OutboxMessage.query(on: app.db).filter(\.$channel == .webhook).count() == 1)  // only the test
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test("the dashboard lists recent notices with the unread count and links to what to do; marking them read clears the count")
    func dashboardNotices() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app)
            let http = try await LiveHTTP.serve(app).signedIn(setup.user, on: app)
            #expect(!(try await http.get("/").body.contains("id=\"notices\"")))
            try await setup.run(app, setup.needsReconnect)
            DataGeneration.bump()
            let dashboard = try await http.get("/")
            #expect(dashboard.body.contains("id=\"notices\""))
            #expect(dashboard.body.contains("<span class=\"badge badge-failing\" id=\"unread-count\">1 unread</span>"))
            #expect(dashboard.body.contains("Work → Family") || dashboard.body.contains("Work &#8594; Family"))
            #expect(dashboard.body.contains("<a href=\"/accounts\">Reconnect the account</a>"))
            #expect(try await http.post("/settings/notifications/notices/read").status == 303)
            let after = try await http.get("/")
            #expect(after.body.contains("id=\"notices\"") && !after.body.contains("unread-count"))
        }
    }
}
