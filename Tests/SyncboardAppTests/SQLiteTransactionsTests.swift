import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import SyncboardApp

/// The SQLite driver keeps a connection per event loop and begins transactions with a deferred BEGIN: a transaction
/// that read and then wrote while another connection committed failed at once with "database is locked" (a CI run of
/// the scheduler tests), and where SQLite does wait, the driver's busy handler spins on the shared blocking pool,
/// which stalled a whole test run. `TransactionControl.sqlite`: one connection per process, `BEGIN IMMEDIATE`.
@Suite("SQLite transactions take turns")
struct SQLiteTransactionsTests {
    /// 20 transactions that each read the count and write count + 1, spread over every event loop of one process and
    /// every fifth from a second process (two applications on one file): with deferred transactions two connections
    /// that read before either writes are the deadlock SQLite refuses at once. Few go to the second process because
    /// each hand-over of the file's lock between processes waits in SQLite's busy handler (about a second here: 30
    /// transactions split evenly took 68 s in a fresh-clone run and passed the 60 s pool wait beside another run).
    @Test("transactions that read, then write, from every event loop and from another process on the file, all commit in turn")
    func readThenWriteTakesTurns() async throws {
        let directory = try TestApp.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("shared.sqlite").path
        let first = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: .sqlite(path: file)), environment: .testing)
        let second = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: .sqlite(path: file)), environment: .testing)
        do {
            _ = try await first.db.sql().raw("CREATE TABLE turn_probe (n integer)").run()
            let databases = [first, second].map { app in
                Array(app.eventLoopGroup.makeIterator()).map { app.databases.database(logger: app.logger, on: $0)! }
            }
            #expect(databases.allSatisfy { $0.count >= 2 }, "two processes, two event loops each")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let process = databases[index % 5 == 4 ? 1 : 0]
                    let db = process[index % process.count]
                    group.addTask {
                        try await db.transaction { tx in
                            let count = try #require(try await tx.sql().raw("SELECT count(*) AS n FROM turn_probe").first())
                                .decode(column: "n", as: Int.self)
                            try await Task.sleep(for: .milliseconds(2))  // leave room for the others
                            _ = try await tx.sql().raw("INSERT INTO turn_probe VALUES (\(bind: count + 1))").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let values = try await second.db.sql().raw("SELECT n FROM turn_probe ORDER BY n").all().map { try $0.decode(column: "n", as: Int.self) }
            // Serialised, each saw all the commits before it: 1, 2, …, 20.
            #expect(values == Array(1...20))
            // A write-ahead log, synced at every commit: one sync per commit rather than a rollback journal's three.
            for app in [first, second] {
                #expect(try await app.db.sql().raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self) == "wal")
                #expect(try await app.db.sql().raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) == 2, "FULL")
            }

            // A failure inside still rolls the whole transaction back, and a nested transaction joins the outer one.
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await first.db.transaction { tx in
                    _ = try await tx.sql().raw("INSERT INTO turn_probe VALUES (1000)").run()
                    try await tx.transaction { inner in _ = try await inner.sql().raw("INSERT INTO turn_probe VALUES (1001)").run() }
                    throw Refused()
                }
            }
            let count = try #require(try await first.db.sql().raw("SELECT count(*) AS n FROM turn_probe").first()).decode(column: "n", as: Int.self)
            #expect(count == 20)
        } catch {
            try? await first.asyncShutdown()
            try? await second.asyncShutdown()
            throw error
        }
        try await first.asyncShutdown()
        try await second.asyncShutdown()
    }

    @Test("within a process every statement goes through one SQLite connection, whatever the event loop")
    func oneConnection() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            // A temporary table lives on the connection that made it: every event loop's database must see it.
            _ = try await app.db.sql().raw("CREATE TEMP TABLE connection_probe (n integer)").run()
            for loop in app.eventLoopGroup.makeIterator() {
                let db = try #require(app.databases.database(logger: app.logger, on: loop))
                _ = try await db.sql().raw("INSERT INTO connection_probe VALUES (1)").run()
            }
            let rows = try await app.db.sql().raw("SELECT count(*) AS n FROM connection_probe").first()?.decode(column: "n", as: Int.self)
            #expect(rows == Array(app.eventLoopGroup.makeIterator()).count)
            // After a transaction the connection waits for another process's lock by sleeping, up to 30 s.
            try await app.db.transaction { _ in }
            let timeout = try await app.db.sql().raw("PRAGMA busy_timeout").first()?.decode(column: "timeout", as: Int.self)
            #expect(timeout == 30_000)
            // Said once per connection, not before every transaction (each statement is a turn on the one connection):
            // a value set since then stays through the next transaction.
            _ = try await app.db.sql().raw("PRAGMA busy_timeout = 1234").run()
            try await app.db.transaction { _ in }
            let kept = try await app.db.sql().raw("PRAGMA busy_timeout").first()?.decode(column: "timeout", as: Int.self)
            #expect(kept == 1234)
        }
    }
}
