import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// Email through a real SMTP server (aiosmtpd, STARTTLS and AUTH required) started by the test.
@Suite("Notification email over SMTP")
struct NotificationEmailTests {
    @Test("a job that needs reconnecting is emailed once over STARTTLS with AUTH: what happened, to which job, what to do, a link, one-click unsubscribe, no secret")
    func reconnectEmail() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.delivery.smtp = server.settings()
            let setup = try await NotificationFixtures.make(app)
            try await setup.run(app, setup.needsReconnect)
            try await setup.run(app, setup.needsReconnect)  // the same incident: no second message
            let deliverer = NotificationFixtures.deliverer(app)
            try await deliverer.deliverDue()
            try await deliverer.deliverDue(now: Date().addingTimeInterval(3600))

            let messages = try server.received()
            try #require(messages.count == 1)
            let mail = messages[0]
            #expect(mail.tls && mail.login == SMTPTestServer.user)
            #expect(mail.recipients == ["ada@example.com"])
            #expect(mail.contentType == "multipart/alternative")
            #expect(mail.headers["Subject"]?.contains("Work → Family") == true)
            #expect(mail.headers["Subject"]?.contains("reconnect ada.home@example.org") == true)
            let outbox = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(mail.headers["Message-ID"] == "<outbox-\(try outbox.requireID().uuidString.lowercased())@example.org>")
            let unsubscribe = try #require(mail.headers["List-Unsubscribe"])
            #expect(unsubscribe.hasPrefix("<https://sync.example.org/notifications/unsubscribe?") && unsubscribe.contains("category=problems"))
            #expect(mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            for part in [mail.text, mail.html] {
                #expect(part.contains("Work → Family") || part.contains("Work &#8594; Family") || part.contains("Work → Family"))
                #expect(part.contains("Reconnect"))
                #expect(part.contains("https://sync.example.org/accounts"))
            }
            #expect(mail.html.contains("<a href=\"https://sync.example.org/accounts\">Reconnect the account</a>"))
            // No secret of any kind: the refresh token, the SMTP password, the encryption key.
            let key = app.syncboard.keyring.current.key.withUnsafeBytes { Data($0).base64EncodedString() }
            for secret in [NotificationFixtures.refreshToken, SMTPTestServer.password, key, "1//"] {
                #expect(!mail.raw.contains(secret) && !mail.text.contains(secret) && !mail.html.contains(secret))
            }
            // The attempt and its result are recorded for the user.
            let attempts = try await DeliveryAttempt.query(on: app.db).all()
            #expect(attempts.map(\.result) == [.sent])
            #expect(try await OutboxMessage.query(on: app.db).first()?.status == .sent)
            #expect(try await Notice.query(on: app.db).count() == 1)
        }
    }

    @Test("the server refusing (451) or disconnecting at the end of the message leads to a retry with backoff, not a loss",
          arguments: [SMTPTestServer.Mode.refuseFirst, .disconnectFirst])
    func refusalIsRetried(mode: SMTPTestServer.Mode) async throws {
        let server = try await SMTPTestServer.start(mode: mode)
        defer { server.stop() }
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.delivery.smtp = server.settings()
            let setup = try await NotificationFixtures.make(app)
            try await setup.run(app, setup.needsReconnect)
            let deliverer = NotificationFixtures.deliverer(app)
            let start = Date()
            try await deliverer.deliverDue(now: start)
            var message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .pending)
            #expect(message.attempts == 1)
            // Backoff: the retry waits (30 s base by default), it is not due at once.
            #expect(message.deliverAfter > Date().addingTimeInterval(20))
            #expect(try await deliverer.deliverDue(now: Date()) == 0)
            #expect(try server.received().isEmpty)

            try await deliverer.deliverDue(now: message.deliverAfter.addingTimeInterval(1))
            message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .sent)
            let attempts = try await DeliveryAttempt.query(on: app.db).sort(\.$attempt).all()
            #expect(attempts.map(\.result) == [.failed, .sent])
            let detail = attempts[0].detail ?? ""
            #expect(mode == .refuseFirst ? detail.contains("451") : detail.contains("mail server"), "\(detail)")
            #expect(!detail.contains(SMTPTestServer.password))
            #expect(try server.received().count == 1)
        }
    }

    @Test("a TLS failure (an untrusted certificate) is reported on the attempt and nothing is sent without TLS")
    func tlsFailure() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.delivery.smtp = server.settings(caFile: server.otherCAFile)
            let setup = try await NotificationFixtures.make(app)
            try await setup.run(app, setup.needsReconnect)
            try await NotificationFixtures.deliverer(app).deliverDue()
            let attempt = try #require(try await DeliveryAttempt.query(on: app.db).first())
            #expect(attempt.result == .failed)
            #expect(attempt.detail?.contains("TLS with the mail server failed") == true, "\(attempt.detail ?? "")")
            #expect(attempt.detail?.contains(SMTPTestServer.password) == false)
            #expect(try await OutboxMessage.query(on: app.db).first()?.status == .pending)  // retried later, never downgraded
            #expect(try server.received().isEmpty)
        }
    }

    @Test("the client dot-stuffs lines that start with a dot, so the message arrives unchanged")
    func dotStuffing() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let body = "Subject: dots\r\nFrom: syncboard@example.org\r\nTo: ada@example.com\r\n\r\nfirst\r\n.\r\n..two\r\n.hidden\r\nlast\r\n"
        try await SMTPClient(settings: server.settings()).send(message: body, to: "ada@example.com")
        let mail = try #require(try server.received().first)
        #expect(mail.raw.contains("first\r\n.\r\n..two\r\n.hidden\r\nlast") || mail.raw.contains("first\n.\n..two\n.hidden\nlast"), "\(mail.raw)")
    }

    @Test("a wrong password is refused by the server and the error does not contain it")
    func wrongPassword() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        do {
            try await SMTPClient(settings: server.settings(password: "wrong-secret-value")).send(message: "Subject: x\r\n\r\nx\r\n", to: "a@example.com")
            Issue.record("the send succeeded")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("AUTH PLAIN") && text.contains("535"), "\(text)")
            #expect(!text.contains("wrong-secret-value"))
        }
    }

    @Test("SYNCBOARD_SMTP_URL: STARTTLS and implicit TLS parse, plaintext needs an explicit switch, the password is never described")
    func configuration() throws {
        let starttls = try AppConfiguration.load(from: EnvironmentReader(environment: [
            "SYNCBOARD_SMTP_URL": "smtp+starttls://me%40example.org:p%40ss@mail.example.org:587", "SYNCBOARD_SMTP_FROM": "sb@example.org"]))
        let smtp = try #require(starttls.delivery.smtp)
        #expect(smtp.security == .startTLS && smtp.host == "mail.example.org" && smtp.port == 587)
        #expect(smtp.username == "me@example.org" && smtp.password == "p@ss")
        #expect(!smtp.description.contains("p@ss"))
        let implicit = try AppConfiguration.load(from: EnvironmentReader(environment: [
            "SYNCBOARD_SMTP_URL": "smtps://u:p@mail.example.org", "SYNCBOARD_SMTP_FROM": "sb@example.org"]))
        #expect(implicit.delivery.smtp?.security == .implicitTLS && implicit.delivery.smtp?.port == 465)
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_SMTP_URL": "smtp://u:secretpw@mail.example.org", "SYNCBOARD_SMTP_FROM": "sb@example.org"]))
        }
        do {
            _ = try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_SMTP_URL": "smtp://u:secretpw@mail.example.org", "SYNCBOARD_SMTP_FROM": "sb@example.org"]))
        } catch {
            #expect(!error.description.contains("secretpw"))
        }
        let plain = try AppConfiguration.load(from: EnvironmentReader(environment: [
            "SYNCBOARD_SMTP_URL": "smtp://relay.local", "SYNCBOARD_SMTP_FROM": "sb@example.org", "SYNCBOARD_SMTP_ALLOW_PLAINTEXT": "true"]))
        #expect(plain.delivery.smtp?.security == SMTPSettings.Security.none)
    }
}
