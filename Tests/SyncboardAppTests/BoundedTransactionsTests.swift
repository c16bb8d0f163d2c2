import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import SyncboardApp

/// PostgresNIO 1.33 drops a statement written to a connection that has already closed, so a transaction whose server
/// went away between two statements used to wait forever, holding its pooled connection (issue 21).
@Suite("PostgreSQL transactions have a time limit")
struct BoundedTransactionsTests {
    @Test("a transaction is still one: its statements share one transaction id, and an error rolls all of them back")
    func stillATransaction() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestApp.withApp(on: .postgres) { app in
            let db = app.db
            _ = try await db.sql().raw("CREATE TABLE bounded_probe (n integer)").run()
            let ids = try await db.transaction { tx in
                let first = try #require(try await tx.sql().raw("SELECT pg_current_xact_id()::text AS id").first()).decode(column: "id", as: String.self)
                let second = try #require(try await tx.sql().raw("SELECT pg_current_xact_id()::text AS id").first()).decode(column: "id", as: String.self)
                return [first, second]
            }
            #expect(ids[0] == ids[1])
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await db.transaction { tx in
                    _ = try await tx.sql().raw("INSERT INTO bounded_probe VALUES (1)").run()
                    throw Refused()
                }
            }
            try await db.transaction { tx in _ = try await tx.sql().raw("INSERT INTO bounded_probe VALUES (2)").run() }
            let rows = try await db.sql().raw("SELECT n FROM bounded_probe").all().map { try $0.decode(column: "n", as: Int.self) }
            #expect(rows == [2])
        }
    }

    @Test("a transaction whose connection dies between statements ends within its limit, and the pool keeps lending connections")
    func deadConnectionMidTransaction() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestDatabase.postgres.withFreshDatabase { configuration, _ in
            let app = try await Application.make(.testing)
            app.logger.logLevel = .critical
            do {
                // 5 s: long enough for an ordinary transaction on a busy machine (1 s was not), short enough for ten dead ones.
                try DatabaseSetup.configure(app, database: configuration, transactionTimeout: .seconds(5))
                let db = app.db
                // More of them than the pool has connections (four per event loop).
                var timedOut = 0
                for _ in 0..<10 {
                    do {
                        try await withinDeadline(.seconds(30), "a transaction on a dead connection") {
                            try await db.transaction { tx in
                                let pid = try #require(try await tx.sql().raw("SELECT pg_backend_pid() AS pid").first()).decode(column: "pid", as: Int.self)
                                _ = try await db.sql().raw("SELECT pg_terminate_backend(\(unsafeRaw: String(pid)))").run()
                                try await Task.sleep(for: .milliseconds(300))  // the server has closed the socket by now
                                _ = try await tx.sql().raw("SELECT 1").run()
                            }
                        }
                        Issue.record("a transaction succeeded on a connection the server had closed")
                    } catch is DeadlineExceeded {
                        Issue.record("a transaction on a closed connection was still waiting after 30 s")
                    } catch is TransactionTimeout {
                        timedOut += 1
                    } catch {
                        // The driver noticed by itself this time: the transaction ended, which is all that matters.
                    }
                }
                #expect(timedOut > 0, "the dropped statement was not reproduced; the test shows nothing")

                // Every closed connection went back to the pool and was replaced: ordinary transactions still work.
                for index in 0..<20 {
                    let value = try await withinDeadline(.seconds(30), "an ordinary transaction") {
                        try await db.transaction { tx in
                            try #require(try await tx.sql().raw("SELECT \(bind: index) AS n").first()).decode(column: "n", as: Int.self)
                        }
                    }
                    #expect(value == index)
                }
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
    }
}
