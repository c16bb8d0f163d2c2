import Fluent
import Foundation

/// What the notification endpoint needs to know of a channel, read from the database at most every `freshFor`:
/// a wave of notifications (one invitation to a team, a shared calendar edited, hundreds of channels at once) is
/// then answered from memory, within Google's patience, instead of queueing one query each on the database.
/// A channel stopped or replaced is known here at most `freshFor` later; a notification in between starts at most
/// one extra run, which finds nothing to do.
actor PushChannelDirectory {
    struct Entry: Sendable {
        let tokenDigest: String
        let resourceID: String?
        let calendarID: UUID?
        let live: Bool
    }

    private let db: any Database
    private let freshFor: Duration
    /// Nil entries remember an unknown channel id (a forger's or a long-stopped one) for as long.
    private var entries: [String: (entry: Entry?, readAt: ContinuousClock.Instant)] = [:]

    init(db: any Database, freshFor: Duration = .seconds(2)) {
        self.db = db
        self.freshFor = freshFor
    }

    func channel(_ channelID: String) async throws -> Entry? {
        let now = ContinuousClock.now
        if let cached = entries[channelID], now - cached.readAt < freshFor { return cached.entry }
        let row = try await PushChannel.query(on: db).filter(\.$channelID == channelID).first()
        let entry = row.map {
            Entry(tokenDigest: $0.tokenDigest, resourceID: $0.resourceID, calendarID: $0.$calendar.id, live: $0.status == .active || $0.status == .opening)
        }
        if entries.count > 10_000 { entries = entries.filter { now - $0.value.readAt < freshFor } }
        entries[channelID] = (entry, now)
        return entry
    }
}
