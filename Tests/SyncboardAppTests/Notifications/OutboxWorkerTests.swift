import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// The outbox delivered by several workers on one PostgreSQL, and by a real `syncboard worker` killed with SIGKILL
/// between sending and recording.
@Suite("Outbox with several workers")
struct OutboxWorkerTests {
    static let key = "test:\(Data(repeating: 7, count: 32).base64EncodedString())"

    /// One test notice (and its email) for a new user, as a run's transaction would write it.
    static func notify(_ app: Application, email: String) async throws {
        let user = try await Fixtures.user(app.db, email: email)
        let preferences = NotificationPreferences(userID: try user.requireID())
        preferences.digestMinutes = 0
        try await preferences.create(on: app.db)
        try await app.db.transaction { db in
            try await NoticeOutbox(db: db, now: Date()).post(NoticeText.test(userID: try user.requireID(), now: Date()))
        }
    }

    @Test("two workers claiming at once on PostgreSQL send each message exactly once")
    func concurrentWorkers() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        try await TestApp.withApp(on: .postgres) { app in
            app.syncboard.configuration.delivery.smtp = server.settings()
            for index in 0..<16 { try await Self.notify(app, email: "person\(index)@example.com") }
            let a = NotificationFixtures.deliverer(app, workerID: "worker-a"), b = NotificationFixtures.deliverer(app, workerID: "worker-b")
            for _ in 0..<20 {
                async let first = a.deliverDue(limit: 3)
                async let second = b.deliverDue(limit: 3)
                let (x, y) = try await (first, second)
                if x + y == 0 { break }
            }
            let received = try server.received()
            #expect(received.count == 16)
            #expect(Set(received.compactMap { $0.headers["Message-ID"] }).count == 16)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$status == .sent).count() == 16)
            #expect(try await DeliveryAttempt.query(on: app.db).count() == 16, "no message was attempted twice")
            let workers = Set(try await DeliveryAttempt.query(on: app.db).all().map(\.workerID))
            #expect(workers == ["worker-a", "worker-b"], "both workers delivered")
        }
    }

    @Test("a worker killed with SIGKILL after the server accepted the message but before recording it: the next worker sends the same message (same Message-ID), the attempt shows 'unknown'", .timeLimit(.minutes(4)))
    func killedBetweenSendingAndRecording() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let server = try await SMTPTestServer.start(mode: .stallFirst, stall: 180)
        defer { server.stop() }
        try await TestDatabase.postgres.withFreshDatabase(migrated: true) { configuration, url in
            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: configuration), environment: .testing)
            app.logger.logLevel = .warning
            var workers: [ChildProcess] = []
            do {
                try await SyncboardApplication.migrate(app)
                try await Self.notify(app, email: "ada@example.com")
                var environment = server.environment
                environment.merge([
                    "DATABASE_URL": try #require(url), "SYNCBOARD_ENCRYPTION_KEYS": Self.key, "SYNCBOARD_ENGINE": "noop",
                    "SYNCBOARD_OUTBOX_LEASE_SECONDS": "3", "SYNCBOARD_OUTBOX_POLL_MS": "100", "SYNCBOARD_LOG_LEVEL": "warning",
                    "SYNCBOARD_BASE_URL": "https://sync.example.org", "SYNCBOARD_SHUTDOWN_GRACE_SECONDS": "5",
                ]) { $1 }
                let directory = try TestApp.temporaryDirectory()
                let first = try ChildProcess.start(["worker"], environment: environment, directory: directory)
                workers.append(first)
                // The server has the message and holds back its 250: the worker has sent and not yet recorded.
                _ = try await server.waitForMessages(1, timeout: .seconds(90))
                let sending = try await DeliveryAttempt.query(on: app.db).all()
                #expect(sending.map(\.result) == [.sending])
                first.signal(SIGKILL)
                try await first.waitForExit(timeout: .seconds(10))

                let second = try ChildProcess.start(["worker"], environment: environment, directory: directory)
                workers.append(second)
                try await eventually(timeout: .seconds(90), "the message is marked sent") {
                    try await OutboxMessage.query(on: app.db).first()?.status == .sent
                }
                let attempts = try await DeliveryAttempt.query(on: app.db).sort(\.$attempt).all()
                #expect(attempts.map(\.result) == [.unknown, .sent])
                #expect(attempts.first?.detail?.contains("same Message-ID") == true)
                // The transport carried it twice, as the same message: a mailbox that keys on Message-ID keeps one.
                let copies = try server.received()
                #expect(copies.count == 2)
                #expect(Set(copies.compactMap { $0.headers["Message-ID"] }).count == 1)
                #expect(copies.allSatisfy { $0.headers["Message-ID"]?.hasPrefix("<outbox-") == true })
                // Normal operation from here on: nothing more is sent.
                try await Task.sleep(for: .seconds(4))
                #expect(try server.received().count == 2)
                second.signal(SIGTERM)
                try await second.waitForExit(timeout: .seconds(30))
            } catch {
                for worker in workers where worker.process.isRunning { worker.process.terminate() }
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
    }
}
