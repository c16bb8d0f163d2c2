import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import SyncboardApp

/// The SQLite driver keeps a connection per event loop and begins transactions with a deferred BEGIN: a transaction
/// that read and then wrote while another connection committed failed at once with "database is locked" (a CI run of
/// the scheduler tests). `TransactionControl.beginImmediate` makes such transactions take turns instead.
@Suite("SQLite transactions take turns")
struct SQLiteTransactionsTests {
    @Test("many transactions that read, then write, on every connection at once all commit, and each is still one")
    func readThenWriteTakesTurns() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            _ = try await app.db.sql().raw("CREATE TABLE turn_probe (n integer)").run()
            // Each transaction reads the count and writes count + 1: with deferred transactions, two connections
            // reading before either writes is the deadlock SQLite refuses at once.
            let loops = Array(app.eventLoopGroup.makeIterator())
            #expect(loops.count >= 2, "two event loops, so two connections")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    let db = app.databases.database(logger: app.logger, on: loops[index % loops.count])!
                    group.addTask {
                        try await db.transaction { tx in
                            let count = try #require(try await tx.sql().raw("SELECT count(*) AS n FROM turn_probe").first())
                                .decode(column: "n", as: Int.self)
                            try await Task.sleep(for: .milliseconds(2))  // leave room for the other connection
                            _ = try await tx.sql().raw("INSERT INTO turn_probe VALUES (\(bind: count + 1))").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let values = try await app.db.sql().raw("SELECT n FROM turn_probe ORDER BY n").all().map { try $0.decode(column: "n", as: Int.self) }
            // Serialised, each saw all the commits before it: 1, 2, …, 60.
            #expect(values == Array(1...60))

            // A failure inside still rolls the whole transaction back, and a nested transaction joins the outer one.
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await app.db.transaction { tx in
                    _ = try await tx.sql().raw("INSERT INTO turn_probe VALUES (1000)").run()
                    try await tx.transaction { inner in _ = try await inner.sql().raw("INSERT INTO turn_probe VALUES (1001)").run() }
                    throw Refused()
                }
            }
            let count = try #require(try await app.db.sql().raw("SELECT count(*) AS n FROM turn_probe").first()).decode(column: "n", as: Int.self)
            #expect(count == 60)
        }
    }
}
