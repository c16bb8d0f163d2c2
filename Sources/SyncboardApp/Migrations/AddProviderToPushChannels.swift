import Fluent

/// Push channels carry their provider (existing rows are Google's `events.watch` channels; Microsoft Graph
/// subscriptions are kept in the same table), and a Graph lifecycle notification waiting for the keeper.
/// The table keeps its name and its `google_calendar_id` column, as the calendars' `google_id` does.
struct AddProviderToPushChannels: AsyncMigration {
    var name: String { "2026-12-03-20-add-provider-to-push-channels" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("push_channels").field("provider", .string, .required, .sql(.default("google"))).update()
        try await database.schema("push_channels").field("lifecycle_event", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("push_channels").deleteField("lifecycle_event").update()
        try await database.schema("push_channels").deleteField("provider").update()
    }
}
