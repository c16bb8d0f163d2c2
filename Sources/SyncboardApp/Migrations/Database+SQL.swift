import Fluent
import SQLKit

extension Database {
    /// The SQLKit view of a Fluent database (both drivers are SQL databases).
    func sql() -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            preconditionFailure("Syncboard runs on SQL databases only (SQLite, PostgreSQL)")
        }
        return sql
    }

    /// Whether this is PostgreSQL (for the few statements SQLite spells differently or does not need).
    var isPostgreSQL: Bool { sql().dialect.name == "postgresql" }
}
