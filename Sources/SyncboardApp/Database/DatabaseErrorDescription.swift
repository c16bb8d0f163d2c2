import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore

/// A one-line, secret-free description of a database failure for readiness reports and command errors.
/// (Driver errors can embed connection strings; these descriptions never do.)
enum DatabaseErrorDescription {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            switch error.code {
            case .connectionError: return "could not connect to PostgreSQL (is it running, and is the host and port right?)"
            case .server:
                let message = error.serverInfo?[.message] ?? "error"
                let code = error.serverInfo?[.sqlState] ?? "?"
                return "PostgreSQL said: \(message) (SQLSTATE \(code))"
            default: return "PostgreSQL error: \(error.code)"
            }
        case let error as SQLiteError:
            return "SQLite error: \(error.message)"
        case let error as IOError:
            return "I/O error: \(error.description)"
        case let error as TransactionTimeout:
            return error.description
        case let error as DeadlineExceeded:
            return error.description
        case let error as NIOConnectionError:
            return "could not connect to the database: \(error.connectionErrors.first.map { "\($0.error)" } ?? "refused")"
        default:
            return String(describing: type(of: error))
        }
    }
}
