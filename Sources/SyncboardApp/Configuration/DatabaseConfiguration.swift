import Foundation
import PostgresKit

/// Where Syncboard keeps its data: a SQLite file under the data directory (the default, no setup), or the
/// PostgreSQL server named by `DATABASE_URL` (docker compose, production, several workers).
public enum DatabaseConfiguration: Sendable {
    case sqlite(path: String)
    /// An in-memory SQLite database: tests only.
    case sqliteInMemory
    case postgres(SQLPostgresConfiguration, redactedURL: String)

    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// A description for logs and pages: never the password.
    public var summary: String {
        switch self {
        case .sqlite(let path): return "SQLite at \(path)"
        case .sqliteInMemory: return "SQLite in memory"
        case .postgres(_, let redactedURL): return "PostgreSQL at \(redactedURL)"
        }
    }

    /// Parses `DATABASE_URL`. The error names the variable and the expected shape, never the value.
    static func postgres(url: String) throws(ConfigurationError) -> DatabaseConfiguration {
        let expected = "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE (optionally ?sslmode=disable|prefer|require)"
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
              let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty,
              components.path.count > 1
        else {
            throw ConfigurationError(variable: "DATABASE_URL", expected: expected)
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw ConfigurationError(variable: "DATABASE_URL", expected: expected)
        }
        // postgres-kit parses the URL for real (TLS mode included); its errors carry the URL, so they are replaced.
        guard let configuration = try? SQLPostgresConfiguration(url: url) else {
            throw ConfigurationError(variable: "DATABASE_URL", expected: expected)
        }
        let redacted = "\(scheme)://\(user)@\(host):\(components.port ?? 5432)\(components.path)"
        return .postgres(configuration, redactedURL: redacted)
    }
}
