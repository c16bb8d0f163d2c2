import Foundation

/// What `changes` continues from, as the engine stores it (an opaque string): the validators of the body last read,
/// the window and zone the listing expanded the feed in, how many VEVENTs it had, and for each occurrence listed
/// its id and a hash of its content (the digest of the events, per event, so a new body can be compared event by event).
///
/// Why per-event hashes rather than "the feed changed: list in full" (`cursorExpired`): a full reconciliation makes
/// the engine list the destination too (Google calls) and fetch the feed a second time; with the hashes a changed
/// feed costs one GET and only the writes its changed events need, and removals are the ids that are no longer
/// there. The price is the cursor's size, about 60 bytes an occurrence (2,000 events: some 120 KB of text in the
/// job's sync state). The window is the listing's: the app reconciles in full when the job's window moves.
struct FeedCursor: Codable, Equatable {
    static let prefix = "feed1:"

    var validators: FeedValidators
    var windowStart: Date
    var windowEnd: Date
    var timeZone: String
    /// VEVENTs in the body (read or not), for refusing a feed that suddenly has none.
    var eventCount: Int
    /// Event id to `FeedEventMapping.contentHash`.
    var entries: [String: String]

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        let data = (try? encoder.encode(self)) ?? Data()
        return Self.prefix + String(decoding: data, as: UTF8.self)
    }

    init(validators: FeedValidators, windowStart: Date, windowEnd: Date, timeZone: String, eventCount: Int, entries: [String: String]) {
        self.validators = validators
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.timeZone = timeZone
        self.eventCount = eventCount
        self.entries = entries
    }

    /// nil for anything this version did not write (the engine then lists in full).
    init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let cursor = try? decoder.decode(FeedCursor.self, from: Data(text.dropFirst(Self.prefix.count).utf8)) else { return nil }
        self = cursor
    }
}
