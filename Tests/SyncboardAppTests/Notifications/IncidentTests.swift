import EmulatorTestKit
import Fluent
import Foundation
@testable import GoogleEmulator
import Testing
import Vapor
@testable import SyncboardApp

/// What is worth a message, written in the run outcome's transaction: one per incident, a digest, the all-clear.
@Suite("Incidents and the outbox")
struct IncidentTests {
    @Test("a failure that needs the user gives one notice and one message per incident, not per run", arguments: TestDatabase.all)
    func onePerIncident(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let setup = try await NotificationFixtures.make(app)
            for _ in 0..<4 { try await setup.run(app, setup.needsReconnect) }
            #expect(try await Incident.query(on: app.db).count() == 1)
            #expect(try await Notice.query(on: app.db).count() == 1)
            #expect(try await OutboxMessage.query(on: app.db).count() == 1)
            // Another kind of problem of the same job is a new incident.
            try await setup.run(app, .failed(engine: .builtin, "The source calendar is gone", class: .calendarGone))
            #expect(try await Notice.query(on: app.db).count() == 2)
            #expect(try await Incident.query(on: app.db).filter(\.$closedAt == nil).count() == 1)
        }
    }

    @Test("transient failures notify at the threshold (default 3) once, and the next success sends the all-clear", arguments: TestDatabase.all)
    func transientThresholdAndRecovery(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let setup = try await NotificationFixtures.make(app)
            try await setup.run(app, NotificationFixtures.transient)
            try await setup.run(app, NotificationFixtures.transient)
            #expect(try await Notice.query(on: app.db).count() == 0)
            try await setup.run(app, NotificationFixtures.transient)
            try await setup.run(app, NotificationFixtures.transient)
            let notices = try await Notice.query(on: app.db).all()
            #expect(notices.count == 1)
            #expect(notices.first?.title.contains("keeps failing (3 runs in a row)") == true)
            try await setup.run(app, NotificationFixtures.success)
            try await setup.run(app, NotificationFixtures.success)
            let all = try await Notice.query(on: app.db).sort(\.$createdAt).all()
            #expect(all.map(\.event) == [.opened, .resolved])
            #expect(all.last?.category == .recoveries)
            #expect(all.last?.title == "All clear: “Work → Family” works again")
            #expect(try await Incident.query(on: app.db).filter(\.$closedAt == nil).count() == 0)
            // A success without an open incident says nothing: two notices, both carried (one email, not yet picked up).
            #expect(try await OutboxItem.query(on: app.db).count() == 2)
        }
    }

    @Test("several incidents of one user within the digest window go out as one email", arguments: TestDatabase.all)
    func digest(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let setup = try await NotificationFixtures.make(app, digestMinutes: 5)
            let second = try await setup.job(app, name: "Team → Me")
            try await setup.run(app, setup.needsReconnect)
            try await setup.run(app, job: second, .failed(engine: .builtin, "bad regex", class: .configuration))
            let messages = try await OutboxMessage.query(on: app.db).filter(\.$channel == .email).all()
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(try await OutboxItem.query(on: app.db).filter(\.$message.$id == message.requireID()).count() == 2)
            // Nothing goes out before the window ends.
            #expect(message.deliverAfter > Date().addingTimeInterval(4 * 60))
            // A claimed digest is closed: a later notice starts a new message.
            _ = try await NotificationFixtures.deliverer(app).claim(limit: 10, now: message.deliverAfter.addingTimeInterval(1))
            try await setup.run(app, job: second, NotificationFixtures.success)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$channel == .email).count() == 2)
        }
    }

    @Test("dry runs and cancelled runs say nothing; a category turned off gets no message but stays on the dashboard", arguments: TestDatabase.all)
    func quietCases(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let setup = try await NotificationFixtures.make(app)
            let preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            preferences.categories = [.recoveries]
            try await preferences.save(on: app.db)
            try await setup.run(app, RunOutcome(status: .cancelled, engine: .builtin, errorSummary: "Cancelled by a user."))
            #expect(try await Notice.query(on: app.db).count() == 0)
            try await setup.run(app, setup.needsReconnect)
            #expect(try await Notice.query(on: app.db).count() == 1)
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
        }
    }

    @Test("the daily account check finds a revoked grant before a run fails, reports it once, and the all-clear follows the reconnect")
    func accountCheck() async throws {
        try await EmulatedGoogle.with(accounts: [.init(subject: "3000", email: "ada@example.com", name: "Ada"),
                                                 .init(subject: "3001", email: "ada.home@example.org", name: "Ada")]) { google in
            let emulator = google.server
            try await TestApp.withApp(on: .sqlite) { app in
                try await EmulatorSignInTests.wire(app, to: emulator)
                let setup = try await NotificationFixtures.make(app)
                for (account, subject, email) in [(setup.source, "3000", "ada@example.com"), (setup.destination, "3001", "ada.home@example.org")] {
                    account.subject = subject
                    let refresh = try await google.tokens(email, clientID: EmulatorSignInTests.clientID).refresh!
                    account.refreshTokenCiphertext = try app.syncboard.vault.seal(refresh, context: account.vaultContext("refresh_token"))
                    try await account.save(on: app.db)
                }
                let account = setup.destination
                let checker = AccountHealthChecker(db: app.db, vault: app.syncboard.vault, google: app.syncboard.google?.auth,
                                                   interval: 86_400, logger: app.logger)
                let now = Date()
                try await checker.checkDue(now: now)  // schedules each account a day after linking
                #expect(try await AccountCheck.query(on: app.db).count() == 2)
                #expect(try await checker.checkDue(now: now.addingTimeInterval(3600)) == 0)

                // A day later the check refreshes the token: fine.
                #expect(try await checker.checkDue(now: now.addingTimeInterval(86_401)) >= 1)
                #expect(try await Notice.query(on: app.db).count() == 0)

                // Revoked at Google: the next daily check reports it, once.
                await emulator.state.revokeTokens(ofEmail: "ada.home@example.org")
                try await checker.checkDue(now: now.addingTimeInterval(2 * 86_401))
                try await checker.checkDue(now: now.addingTimeInterval(3 * 86_401))
                let notices = try await Notice.query(on: app.db).all()
                #expect(notices.count == 1)
                #expect(notices.first?.category == .accounts)
                #expect(notices.first?.title.contains("Reconnect ada.home@example.org") == true)
                #expect(try await LinkedAccount.find(account.requireID(), on: app.db)?.status == .needsReauth)

                // Reconnected (a new grant): checked at once, the incident closes with the all-clear.
                let reconnected = try #require(try await LinkedAccount.find(account.requireID(), on: app.db))
                let fresh = try await google.tokens("ada.home@example.org", clientID: EmulatorSignInTests.clientID).refresh!
                reconnected.refreshTokenCiphertext = try app.syncboard.vault.seal(fresh, context: reconnected.vaultContext("refresh_token"))
                reconnected.status = .active
                try await reconnected.save(on: app.db)
                try await checker.checkDue(now: now.addingTimeInterval(3 * 86_401 + 60))
                let after = try await Notice.query(on: app.db).sort(\.$createdAt).all()
                #expect(after.map(\.event) == [.opened, .resolved])
                #expect(try await Incident.query(on: app.db).filter(\.$closedAt == nil).count() == 0)
            }
        }
    }

    @Test("a grant that dies about seven days after it was given explains Google's Testing publishing status and the fix")
    func testingStatusExplained() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app)
            let check = AccountCheck(accountID: try setup.destination.requireID(), nextCheckAt: Date().addingTimeInterval(86_400))
            check.grantSeenAt = Date().addingTimeInterval(-7 * 86_400 - 600)
            try await check.create(on: app.db)
            try await setup.run(app, setup.needsReconnect)
            let notice = try #require(try await Notice.query(on: app.db).first())
            #expect(notice.body.contains("\"Testing\" publishing status"))
            #expect(notice.body.contains("Publish app"))
        }
    }
}
