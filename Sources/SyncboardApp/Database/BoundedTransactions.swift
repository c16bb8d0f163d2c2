import FluentKit
import Foundation
import NIOCore
import PostgresNIO
import SQLKit

/// A transaction that did not end within the limit; its connection was closed, so the server rolled it back.
struct TransactionTimeout: Error, CustomStringConvertible {
    let limit: TimeAmount

    var description: String {
        "the database did not finish a transaction within \(limit.nanoseconds / 1_000_000_000) s (its connection was closed and the transaction rolled back)"
    }
}

/// PostgreSQL through Fluent, with a time limit on every transaction.
///
/// PostgresNIO 1.33 drops a statement written to a connection whose socket has already closed, and nobody ever
/// answers the caller. So when the server goes away between two statements of a transaction (a restart, `pg_ctl stop`),
/// the next statement, or the driver's ROLLBACK, waits forever and keeps its pooled connection forever: a worker told
/// to stop then never exits. Past the limit this closes the connection (a live server rolls the transaction back),
/// fails the transaction with `TransactionTimeout`, and gives the closed connection back to the pool, which replaces it.
/// Single statements need no such limit: the pool only lends open connections and writes on their event loop.
struct BoundedTransactionsConfiguration: FluentKit.DatabaseConfiguration {
    var base: any FluentKit.DatabaseConfiguration
    let limit: TimeAmount

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        BoundedTransactionsDriver(base: base.makeDriver(for: databases), limit: limit)
    }
}

private struct BoundedTransactionsDriver: DatabaseDriver {
    let base: any DatabaseDriver
    let limit: TimeAmount

    func makeDatabase(with context: DatabaseContext) -> any Database {
        BoundedTransactionsDatabase(base: base.makeDatabase(with: context), limit: limit)
    }

    func shutdown() { base.shutdown() }
    func shutdownAsync() async { await base.shutdownAsync() }
}

/// Everything passes through to the driver's database, except `transaction`.
private struct BoundedTransactionsDatabase: Database, SQLDatabase {
    let base: any Database
    let limit: TimeAmount

    private var sql: any SQLDatabase {
        guard let sql = base as? any SQLDatabase else { preconditionFailure("the PostgreSQL driver is an SQL database") }
        return sql
    }

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { base.inTransaction }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        base.execute(query: query, onOutput: onOutput)
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let limit = self.limit
        return base.withConnection { closure(BoundedTransactionsDatabase(base: $0, limit: limit)) }
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !base.inTransaction else { return base.transaction(closure) }
        let limit = self.limit
        return base.withConnection { connection in
            let outcome = connection.eventLoop.makePromise(of: Carried<T>.self)
            let timeout = connection.eventLoop.scheduleTask(in: limit) {
                outcome.fail(TransactionTimeout(limit: limit))
                // Failing the outcome returns the connection to the pool; closed, it is never lent again.
                (connection as? any PostgresDatabase)?.withConnection { $0.close() }.whenComplete { _ in }
            }
            // The driver lends connections marked as in a transaction already (its `transaction` would just run the
            // closure), so BEGIN, COMMIT and ROLLBACK are sent here, as the driver's own `transaction` does.
            guard let sql = connection as? any SQLDatabase else { preconditionFailure("the PostgreSQL driver is an SQL database") }
            let work = sql.raw("BEGIN").run().flatMap {
                closure(connection).map { Carried(value: $0) }
                    .flatMap { result in sql.raw("COMMIT").run().map { result } }
                    .flatMapError { error in sql.raw("ROLLBACK").run().flatMapThrowing { throw error } }
            }
            work.whenComplete { result in
                timeout.cancel()
                outcome.completeWith(result)
            }
            return outcome.futureResult.map { $0.value }
        }
    }

    // SQLDatabase
    var logger: Logger { sql.logger }
    var eventLoop: any EventLoop { sql.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        sql.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await sql.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await sql.withSession(closure)
    }
}

/// Carries a transaction's result across the race with its time limit. The driver's `transaction` does not require
/// `Sendable` results; the value is only handed on, never shared.
private struct Carried<Value>: @unchecked Sendable {
    let value: Value
}
