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
}
