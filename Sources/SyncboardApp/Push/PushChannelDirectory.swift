import Fluent
import Foundation
import SyncboardCore

/// What the notification endpoint needs to know of a channel, read from the database at most every `freshFor`:
/// a wave of notifications (one invitation to a team, a shared calendar edited, hundreds of channels at once) is
/// then answered from memory, within Google's patience, instead of queueing one query each on the database.
/// A channel stopped or replaced is known here at most `freshFor` later; a notification in between starts at most
/// one extra run, which finds nothing to do.
///
/// Live channels are read all at once (one statement, shared by every notification waiting for it): in a wave each
/// notification names another channel, and one query each would queue hundreds of statements on SQLite's one
/// connection behind the runs. A channel id not among them (a stopped channel, a forger's) is looked up alone.
actor PushChannelDirectory {
    struct Entry: Sendable {
        let tokenDigest: String
        let resourceID: String?
        let calendarID: UUID?
        let live: Bool
        /// Google's channels are answered at Google's endpoint only, Graph's subscriptions at Microsoft's.
        let provider: ProviderKind

        init(_ row: PushChannel) {
            provider = row.provider
            tokenDigest = row.tokenDigest
            resourceID = row.resourceID
            calendarID = row.$calendar.id
            live = row.status == .active || row.status == .opening
        }
    }

    private let db: any Database
    private let freshFor: Duration
    /// Nil entries remember an unknown channel id (a forger's or a long-stopped one) for as long.
    private var entries: [String: (entry: Entry?, readAt: ContinuousClock.Instant)] = [:]
    /// The last read of every live channel, and when it began.
    private var live: (read: Task<[String: Entry], any Error>, at: ContinuousClock.Instant)?

    init(db: any Database, freshFor: Duration = .seconds(2)) {
        self.db = db
        self.freshFor = freshFor
    }

    func channel(_ channelID: String) async throws -> Entry? {
        let now = ContinuousClock.now
        if let cached = entries[channelID], now - cached.readAt < freshFor { return cached.entry }
        let read: (read: Task<[String: Entry], any Error>, at: ContinuousClock.Instant)
        if let current = live, now - current.at < freshFor {
            read = current
        } else {
            let db = self.db
            read = (Task {
                // Only channels whose resource id is stored: one still opening is looked up alone, and not kept.
                let rows = try await PushChannel.query(on: db).filter(\.$status == .active).filter(\.$resourceID != nil).all()
                return Dictionary(rows.map { ($0.channelID, Entry($0)) }, uniquingKeysWith: { first, _ in first })
            }, now)
            live = read
        }
        let channels: [String: Entry]
        do {
            channels = try await read.read.value
        } catch {
            if live?.at == read.at { live = nil }  // the next notification reads again
            throw error
        }
        if let entry = channels[channelID] { return entry }
        let row = try await PushChannel.query(on: db).filter(\.$channelID == channelID).first()
        let entry = row.map(Entry.init)
        // A channel still opening has no resource id yet: kept, it would accept any resource id until read again.
        guard entry == nil || entry?.resourceID != nil || entry?.live == false else { return entry }
        if entries.count > 10_000 { entries = entries.filter { now - $0.value.readAt < freshFor } }
        entries[channelID] = (entry, now)
        return entry
    }
}
