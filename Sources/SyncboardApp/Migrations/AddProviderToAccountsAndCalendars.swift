import Fluent
import SQLKit

/// Accounts and calendars carry their provider (existing rows are Google's), and an account's subject is unique
/// per provider rather than across all of them: a subject is only an identifier within its identity provider.
///
/// Table and column names stay as they are (`google_accounts`, `google_id`): the contexts stored tokens are sealed
/// with name them, and renaming would make every stored token unreadable.
struct AddProviderToAccountsAndCalendars: AsyncMigration {
    var name: String { "2026-12-03-01-add-provider-to-accounts-and-calendars" }

    func prepare(on database: any Database) async throws {
        if Self.isSQLite(database) {
            try await rebuildAccountsOnSQLite(database)
        } else {
            try await database.schema("google_accounts").field("provider", .string, .required, .sql(.default("google"))).update()
            try await database.schema("google_accounts").deleteConstraint(name: "uq_google_accounts_subject").update()
            try await database.schema("google_accounts")
                .unique(on: "provider", "subject", name: "uq_google_accounts_provider_subject").update()
        }
        try await database.schema("calendars").field("provider", .string, .required, .sql(.default("google"))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("calendars").deleteField("provider").update()
        // On SQLite the rebuilt accounts table stays as it is: its constraint cannot be dropped without another
        // rebuild, every account in it is Google's until a later migration adds others, and preparing again rebuilds
        // it from the same columns. (Reverting every migration drops the table anyway.)
        if !Self.isSQLite(database) {
            try await database.schema("google_accounts").deleteConstraint(name: "uq_google_accounts_provider_subject").update()
            try await database.schema("google_accounts").unique(on: "subject", name: "uq_google_accounts_subject").update()
            try await database.schema("google_accounts").deleteField("provider").update()
        }
    }

    /// SQLite cannot drop a table constraint, so the accounts table is made anew the way SQLite's documentation
    /// prescribes (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): foreign
    /// keys off on the one connection, then in one transaction create, copy, drop, rename, check, commit. With
    /// foreign keys off, dropping the old table leaves the calendars that reference it alone; the renamed table
    /// takes its name, so their references resolve to it.
    private func rebuildAccountsOnSQLite(_ database: any Database) async throws {
        try await database.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("PRAGMA foreign_keys = OFF").run()
            do {
                try await connection.transaction { transaction in
                    try await transaction.schema("google_accounts_rebuilt")
                        .id()
                        .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
                        .field("provider", .string, .required, .sql(.default("google")))
                        .field("subject", .string, .required)
                        .field("email", .string, .required)
                        .field("display_name", .string)
                        .field("picture_url", .string)
                        .field("status", .string, .required)
                        .field("granted_scopes", .string, .required)
                        .field("refresh_token", .string)
                        .field("access_token", .string)
                        .field("access_token_expires_at", .datetime)
                        .field("last_error", .string)
                        .field("calendars_refreshed_at", .datetime)
                        .field("created_at", .datetime, .required)
                        .field("updated_at", .datetime)
                        .unique(on: "provider", "subject", name: "uq_google_accounts_provider_subject")
                        .create()
                    let columns: [any SQLExpression] = ["id", "user_id", "subject", "email", "display_name", "picture_url", "status",
                                                        "granted_scopes", "refresh_token", "access_token", "access_token_expires_at",
                                                        "last_error", "calendars_refreshed_at", "created_at", "updated_at"].map { SQLIdentifier($0) }
                    let rows = transaction as! any SQLDatabase
                    try await rows.raw("INSERT INTO \(ident: "google_accounts_rebuilt") (\(SQLList(columns))) SELECT \(SQLList(columns)) FROM \(ident: "google_accounts")").run()
                    try await transaction.schema("google_accounts").delete()
                    try await rows.raw("ALTER TABLE \(ident: "google_accounts_rebuilt") RENAME TO \(ident: "google_accounts")").run()
                    try await rows.create(index: "idx_google_accounts_user").on("google_accounts").column("user_id").run()
                    // Every calendar still has its account: the rebuild lost no row a reference points at.
                    let broken = try await rows.raw("PRAGMA foreign_key_check").all()
                    guard broken.isEmpty else { throw RebuildError.danglingReferences(broken.count) }
                }
            } catch {
                try? await sql.raw("PRAGMA foreign_keys = ON").run()
                throw error
            }
            try await sql.raw("PRAGMA foreign_keys = ON").run()
        }
    }

    static func isSQLite(_ database: any Database) -> Bool { (database as? any SQLDatabase)?.dialect.name == "sqlite" }

    enum RebuildError: Error, CustomStringConvertible {
        case danglingReferences(Int)
        var description: String {
            switch self {
            case .danglingReferences(let rows): "rebuilding google_accounts would leave \(rows) rows pointing at no account; nothing was changed"
            }
        }
    }
}
