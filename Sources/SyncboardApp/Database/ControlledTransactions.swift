import FluentKit
import Foundation
import NIOCore
import PostgresNIO
import SQLKit
import FluentSQLiteDriver  // SQLiteConnection (SQLiteNIO, re-exported through SQLiteKit)
import Synchronization

/// A transaction that did not end within the limit; its connection was closed, so the server rolled it back.
struct TransactionTimeout: Error, CustomStringConvertible {
    let limit: TimeAmount

    var description: String {
        "the database did not finish a transaction within \(limit.nanoseconds / 1_000_000_000) s (its connection was closed and the transaction rolled back)"
    }
}

/// How Syncboard begins and ends transactions, per database.
enum TransactionControl: Sendable {
    /// PostgreSQL: a time limit on every transaction.
    ///
    /// PostgresNIO 1.33 drops a statement written to a connection whose socket has already closed, and nobody ever
    /// answers the caller. So when the server goes away between two statements of a transaction (a restart,
    /// `pg_ctl stop`), the next statement, or the driver's ROLLBACK, waits forever and keeps its pooled connection
    /// forever: a worker told to stop then never exits. Past the limit this closes the connection (a live server rolls
    /// the transaction back), fails the transaction with `TransactionTimeout`, and gives the closed connection back
    /// to the pool, which replaces it. Single statements need no such limit: the pool only lends open connections.
    case timeLimit(TimeAmount)
    /// SQLite: one connection for the whole process, and `BEGIN IMMEDIATE`, which takes the write lock first.
    ///
    /// The driver holds a connection per event loop and begins transactions with a deferred `BEGIN`. A deferred
    /// transaction that reads and then writes while another connection is committing gets SQLITE_BUSY ("database is
    /// locked") at once: SQLite does not wait there, as waiting could deadlock. And where SQLite does wait, the
    /// driver's busy handler retries at once, forever, on a thread of the small shared blocking pool, which the
    /// connection holding the lock may need to finish: two such waits stall the process. So within a process every
    /// statement goes through one connection (they queue for it: SQLite runs one writer at a time anyway), and
    /// `BEGIN IMMEDIATE` makes a transaction of another process (a command beside `serve`) wait its turn at the start.
    case sqlite

    var begin: String {
        switch self {
        case .timeLimit: "BEGIN"
        case .sqlite: "BEGIN IMMEDIATE"
        }
    }

    /// Said once on each connection, before its first `begin` (`PreparedConnection`). SQLite:
    /// - `busy_timeout`: wait for another process's lock by sleeping between tries, for up to 30 s, then fail with
    ///   "database is locked". The driver's own busy handler retries at once, forever, which burns a core and starves
    ///   the process holding the lock (a test of two processes on one file took 83 s under load instead of one).
    /// - `journal_mode = WAL` (kept in the file): a commit appends to the write-ahead log instead of writing a
    ///   rollback journal and the database with three syncs; readers in other processes (a command beside `serve`,
    ///   a backup) never wait for the writer. Every statement of the process waits for the one connection, so a
    ///   commit's syncs were every run's wait: a wave of 200 real-time runs made 1,600 commits.
    /// - `synchronous = FULL`: the log is synced at every commit, so a committed run, token or job survives a power
    ///   loss too (WAL's NORMAL would sync only at checkpoints).
    /// The settings stay with the connection, so later transactions and single statements work the same way.
    var prepare: [String] {
        switch self {
        case .timeLimit: []
        case .sqlite: ["PRAGMA busy_timeout = 30000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"]
        }
    }
}

/// A driver's database with Syncboard's `TransactionControl`: everything else passes through.
struct ControlledTransactionsConfiguration: FluentKit.DatabaseConfiguration {
    var base: any FluentKit.DatabaseConfiguration
    let control: TransactionControl

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        let onlyLoop: (any EventLoop)? = if case .sqlite = control { databases.eventLoopGroup.next() } else { nil }
        return ControlledTransactionsDriver(base: base.makeDriver(for: databases), control: control, onlyLoop: onlyLoop,
                                            prepared: PreparedConnection())
    }
}

private struct ControlledTransactionsDriver: DatabaseDriver {
    let base: any DatabaseDriver
    let control: TransactionControl
    /// When set, every database is made on this event loop, so it uses the one connection the driver keeps there.
    let onlyLoop: (any EventLoop)?
    let prepared: PreparedConnection

    func makeDatabase(with context: DatabaseContext) -> any Database {
        let context = onlyLoop.map {
            DatabaseContext(configuration: context.configuration, logger: context.logger, eventLoop: $0, history: context.history,
                            pageSizeLimit: context.pageSizeLimit, shouldTrace: context.shouldTrace)
        } ?? context
        return ControlledTransactionsDatabase(base: base.makeDatabase(with: context), control: control, insideTransaction: false,
                                              prepared: prepared)
    }

    func shutdown() { base.shutdown() }
    func shutdownAsync() async { await base.shutdownAsync() }
}

/// Everything passes through to the driver's database, except `transaction`.
private struct ControlledTransactionsDatabase: Database, SQLDatabase {
    let base: any Database
    let control: TransactionControl
    /// Set on the database a transaction's work is given. (The SQLite driver lends connections marked as outside
    /// any transaction, so its own flag cannot say so.)
    let insideTransaction: Bool
    let prepared: PreparedConnection

    private var sql: any SQLDatabase {
        guard let sql = base as? any SQLDatabase else { preconditionFailure("Syncboard's database drivers are SQL databases") }
        return sql
    }

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { insideTransaction || base.inTransaction }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        base.execute(query: query, onOutput: onOutput)
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let (control, inside, prepared) = (self.control, self.insideTransaction, self.prepared)
        return base.withConnection {
            closure(ControlledTransactionsDatabase(base: $0, control: control, insideTransaction: inside, prepared: prepared))
        }
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction else { return closure(self) }
        let (control, preparedConnection) = (self.control, self.prepared)
        return base.withConnection { leased in
            // BEGIN, COMMIT and ROLLBACK are sent here, as the drivers' own `transaction` does.
            let connection = ControlledTransactionsDatabase(base: leased, control: control, insideTransaction: true, prepared: preparedConnection)
            let sql = connection.sql
            let prepared = preparedConnection.prepare(leased, with: control.prepare, sql: sql)
            let work = prepared.flatMap { sql.raw(SQLQueryString(control.begin)).run() }.flatMap {
                closure(connection).map { Carried(value: $0) }
                    .flatMap { result in sql.raw("COMMIT").run().map { result } }
                    .flatMapError { error in sql.raw("ROLLBACK").run().flatMapThrowing { throw error } }
            }
            guard case .timeLimit(let limit) = control else { return work.map { $0.value } }
            let outcome = leased.eventLoop.makePromise(of: Carried<T>.self)
            let timeout = leased.eventLoop.scheduleTask(in: limit) {
                outcome.fail(TransactionTimeout(limit: limit))
                // Failing the outcome returns the connection to the pool; closed, it is never lent again.
                (leased as? any PostgresDatabase)?.withConnection { $0.close() }.whenComplete { _ in }
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

/// Says `TransactionControl.prepare` once per connection rather than before every transaction: a run makes several
/// transactions, and on SQLite's one connection each statement is a turn every other run waits for.
/// The SQLite connection last prepared is held weakly, so a connection the pool replaces is prepared again (a new
/// object; a freed one's address can never match a weak reference). Other drivers' connections are prepared each
/// time (PostgreSQL needs nothing).
final class PreparedConnection: Sendable {
    private final class WeakConnection: @unchecked Sendable {
        weak var connection: SQLiteConnection?
    }
    private let last = Mutex(WeakConnection())

    fileprivate func prepare(_ leased: any Database, with statements: [String], sql: any SQLDatabase) -> EventLoopFuture<Void> {
        @Sendable func say() -> EventLoopFuture<Void> {
            statements.reduce(leased.eventLoop.makeSucceededVoidFuture()) { said, statement in
                said.flatMap { sql.raw(SQLQueryString(statement)).run() }
            }
        }
        guard !statements.isEmpty else { return leased.eventLoop.makeSucceededVoidFuture() }
        guard let sqlite = leased as? any SQLiteDatabase else { return say() }
        return sqlite.withConnection { connection in
            if self.last.withLock({ $0.connection === connection }) { return connection.eventLoop.makeSucceededVoidFuture() }
            return say().map {
                self.last.withLock { $0 = WeakConnection(); $0.connection = connection }
            }
        }
    }
}

/// Carries a transaction's result across the race with its time limit. The drivers' `transaction` does not require
/// `Sendable` results; the value is only handed on, never shared.
private struct Carried<Value>: @unchecked Sendable {
    let value: Value
}
