import Foundation
import Recurrence
import SyncboardCore

/// What the provider needs to know of one feed, which the app looks up from the calendar the engine names.
public struct FeedSubscription: Sendable {
    public var url: FeedURL
    /// Where floating times (and all-day dates' midnights while expanding) are placed: the job's zone (§3.3.5).
    public var floatingTimeZone: TimeZone
    /// VEVENTs the feed had at its last successful fetch, as the app remembers it (from `FeedFetchReport`): a full
    /// listing that finds none after some is refused. nil when unknown (the provider still remembers its own).
    public var lastEventCount: Int?

    public init(url: FeedURL, floatingTimeZone: TimeZone = TimeZone(identifier: "UTC")!, lastEventCount: Int? = nil) {
        self.url = url
        self.floatingTimeZone = floatingTimeZone
        self.lastEventCount = lastEventCount
    }

    /// The default lookup: the calendar's id is the feed's address, its access token `user:password` (or empty).
    @Sendable public static func fromAccess(_ calendar: CalendarAccess) throws(ProviderError) -> FeedSubscription {
        do {
            return FeedSubscription(url: try FeedURL(calendar.id, credentials: calendar.accessToken.isEmpty ? nil : calendar.accessToken))
        } catch {
            throw FeedError.invalidAddress(error.description).providerError
        }
    }
}

/// One fetch as the health page and the notifications see it.
public struct FeedFetchReport: Sendable {
    public var calendarID: String
    /// Redacted (no credentials, no query).
    public var url: String
    public var at: Date
    /// nil when no HTTP answer came (a network error, a refused address).
    public var status: Int?
    public var notModified: Bool
    public var bytes: Int
    /// VEVENTs read, and those left out (each with its UID and reason), when a body was parsed.
    public var events: Int?
    public var problems: [String]
    public var error: FeedError?
    public var seconds: Double
}

/// The last body each feed answered, parsed, so a full listing can ask conditionally and use it on a 304. In memory
/// only, for a bounded number of feeds (the least recently used is forgotten first): a restart costs one full GET.
public actor FeedCache {
    struct Entry {
        var url: URL
        var timeZone: String
        var validators: FeedValidators
        var calendar: ICalendar
        var used: UInt64
    }

    let capacity: Int
    var entries: [String: Entry] = [:]
    var clock: UInt64 = 0

    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    func entry(_ key: String, url: URL, timeZone: String) -> Entry? {
        guard var entry = entries[key], entry.url == url, entry.timeZone == timeZone else { return nil }
        clock += 1
        entry.used = clock
        entries[key] = entry
        return entry
    }

    func store(_ key: String, url: URL, timeZone: String, validators: FeedValidators, calendar: ICalendar) {
        clock += 1
        entries[key] = Entry(url: url, timeZone: timeZone, validators: validators, calendar: calendar, used: clock)
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key { entries[oldest] = nil }
    }

    func eventCount(_ key: String) -> Int? {
        entries[key].map { $0.calendar.events.count + $0.calendar.problems.count }
    }
}

extension CalendarProvider {
    /// Published iCalendar feeds as a calendar provider (issue 29), read-only (`writes: nil`):
    /// - `list`: one GET (conditional when this process has the feed's last body), the body parsed and checked
    ///   (not iCalendar, truncated, 206, or no events after some are errors, never an empty calendar), every
    ///   occurrence in the window as a `SyncEvent`; the cursor keeps the validators and a hash per event.
    /// - `changes`: one conditional GET with the cursor's validators; a 304 is no change and the same cursor; a new
    ///   body is expanded in the listing's window and compared with the cursor's hashes: new and changed events,
    ///   and the ids no longer there as removals (see `FeedCursor` for why not `cursorExpired`). Events the parser
    ///   had to leave out (`ICalendar.problems`) keep their copies: their ids are neither changed nor removed, and
    ///   while this process has the feed's previous body, listings keep the version read last.
    /// - `fetch`: the occurrence with that id as the feed has it now, nil when it is gone.
    /// - Parameter subscription: the feed behind a calendar the engine names (the app: its stored feed).
    /// - Parameter report: hears of every fetch (the feed's health).
    public static func feed(_ fetcher: FeedFetcher,
                            subscription: @escaping @Sendable (CalendarAccess) async throws(ProviderError) -> FeedSubscription = FeedSubscription.fromAccess,
                            cache: FeedCache = FeedCache(),
                            report: @escaping @Sendable (FeedFetchReport) async -> Void = { _ in }) -> CalendarProvider {
        let reader = FeedReader(fetcher: fetcher, cache: cache, report: report)
        return CalendarProvider(
            list: { calendar, query throws(ProviderError) in
                let feed = try await subscription(calendar)
                let read = try await reader.read(calendar, feed, validators: nil, previousCount: feed.lastEventCount)
                guard case .calendar(let parsed, let validators) = read else {
                    throw ProviderError(.unexpected, "the feed answered 304 to an unconditional request")
                }
                var events = try reader.events(parsed, from: query.start, to: query.end, calendarHash: query.calendarHash)
                if query.ordered { events.sort { ($0.start, $0.id) < ($1.start, $1.id) } }
                let cursor = FeedCursor(validators: validators, windowStart: query.start, windowEnd: query.end, timeZone: feed.floatingTimeZone.identifier,
                                        eventCount: parsed.events.count + parsed.problems.count,
                                        entries: Dictionary(events.map { ($0.id, FeedEventMapping.contentHash($0)) }, uniquingKeysWith: { first, _ in first }))
                return EventListing(events: events, cursor: cursor.encoded)
            },
            changes: { calendar, text, _, hash throws(ProviderError) in
                guard let cursor = FeedCursor(text) else { throw ProviderError(.cursorExpired, "the stored cursor is not a feed cursor") }
                var feed = try await subscription(calendar)
                // The listing's zone, so the ids and times compare with the cursor's.
                if let zone = TimeZone(identifier: cursor.timeZone) { feed.floatingTimeZone = zone }
                let read = try await reader.read(calendar, feed, validators: cursor.validators, previousCount: cursor.eventCount)
                guard case .calendar(let parsed, let validators) = read else {
                    // RFC 9110 §15.4.5: nothing changed since the body the cursor describes.
                    return ChangeListing(changed: [], removed: [], changedAt: [:], count: 0, nextCursor: text)
                }
                let events = try reader.events(parsed, from: cursor.windowStart, to: cursor.windowEnd, calendarHash: hash)
                var entries: [String: String] = [:]
                var changed: [SyncEvent] = []
                var changedAt: [String: Date] = [:]
                let modified = Dictionary(parsed.events.compactMap { event in event.lastModified.map { (FeedEventMapping.uidKey(event.uid), $0) } },
                                          uniquingKeysWith: { a, b in max(a, b) })
                for event in events where entries[event.id] == nil {
                    let content = FeedEventMapping.contentHash(event)
                    entries[event.id] = content
                    if cursor.entries[event.id] != content {
                        changed.append(event)
                        if let at = modified[FeedEventMapping.uidKey(ofEventID: event.id)] { changedAt[event.id] = at }
                    }
                }
                // An event the parser left out is not a deleted event: its copies stay, and its entries carry over.
                let unreadable = Set(parsed.problems.compactMap { problem in problem.uid.map { FeedEventMapping.uidKey($0) } })
                var removed: [String] = []
                for (id, content) in cursor.entries where entries[id] == nil {
                    if unreadable.contains(FeedEventMapping.uidKey(ofEventID: id)) { entries[id] = content } else { removed.append(id) }
                }
                let next = FeedCursor(validators: validators, windowStart: cursor.windowStart, windowEnd: cursor.windowEnd, timeZone: cursor.timeZone,
                                      eventCount: parsed.events.count + parsed.problems.count, entries: entries)
                return ChangeListing(changed: changed.sorted { ($0.start, $0.id) < ($1.start, $1.id) }, removed: removed.sorted(), changedAt: changedAt,
                                     count: changed.count + removed.count, nextCursor: next.encoded)
            },
            fetch: { calendar, id, hash throws(ProviderError) in
                let feed = try await subscription(calendar)
                let read = try await reader.read(calendar, feed, validators: nil, previousCount: feed.lastEventCount)
                guard case .calendar(let parsed, _) = read else { return nil }
                let key = FeedEventMapping.uidKey(ofEventID: id)
                let own = parsed.events.filter { FeedEventMapping.uidKey($0.uid) == key }
                guard !own.isEmpty else { return nil }
                // Around the original start an instance id names, or the single event's own times.
                let zone = feed.floatingTimeZone
                var around: [Date] = own.map { $0.start.instant(allDayZone: zone) }
                if let suffix = id.split(separator: "_", maxSplits: 1).dropFirst().first,
                   let original = RecurrenceDate(parsing: suffix, timeZone: TimeZone(identifier: "UTC")!) {
                    around.append(original.instant(allDayZone: TimeZone(identifier: "UTC")!))
                }
                let year: TimeInterval = 366 * 86_400
                let from = around.min()!.addingTimeInterval(-year), to = around.max()!.addingTimeInterval(year)
                return try reader.events(parsed, from: from, to: to, calendarHash: hash).first { $0.id == id }
            },
            writes: nil)
    }
}

/// Fetches, parses and checks a feed for the provider, and reports each fetch.
struct FeedReader: Sendable {
    enum Read {
        case notModified
        case calendar(ICalendar, FeedValidators)
    }

    let fetcher: FeedFetcher
    let cache: FeedCache
    let report: @Sendable (FeedFetchReport) async -> Void

    /// - Parameter validators: the cursor's, for `changes`; nil for a listing (which then uses the cached body's, and
    ///   reads that body on a 304).
    func read(_ calendar: CalendarAccess, _ feed: FeedSubscription, validators: FeedValidators?, previousCount: Int?) async throws(ProviderError) -> Read {
        let began = Date()
        let key = calendar.id
        let zone = feed.floatingTimeZone.identifier
        let kept = await cache.entry(key, url: feed.url.url, timeZone: zone)
        let cached = validators == nil ? kept : nil
        var result = FeedFetchReport(calendarID: calendar.id, url: feed.url.description, at: began, status: nil, notModified: false, bytes: 0,
                                     events: nil, problems: [], error: nil, seconds: 0)
        do throws(FeedError) {
            let response = try await fetcher.fetch(feed.url, validators: validators ?? cached?.validators)
            result.status = response.status
            result.notModified = response.notModified
            result.bytes = response.bytes
            guard let body = response.body else {
                if let cached {
                    result.events = cached.calendar.events.count
                    result.problems = cached.calendar.problems.map(\.description)
                    result.seconds = Date().timeIntervalSince(began)
                    await report(result)
                    return .calendar(cached.calendar, response.validators)
                }
                result.seconds = Date().timeIntervalSince(began)
                await report(result)
                return .notModified
            }
            var parsed = try Self.parse(body, zone: feed.floatingTimeZone)
            if !parsed.problems.isEmpty, let previous = kept?.calendar {
                // An event the parser now has to leave out keeps the version last read, while this process has it, so
                // a full listing does not read it as deleted either (after a restart only `changes` can keep it).
                let unreadable = Set(parsed.problems.compactMap(\.uid)), readable = Set(parsed.events.map(\.uid))
                parsed.events += previous.events.filter { unreadable.contains($0.uid) && !readable.contains($0.uid) }
            }
            let count = parsed.events.count + parsed.problems.count
            let known = await cache.eventCount(key)
            if count == 0, let previously = [previousCount, known].compactMap({ $0 }).max(), previously > 0 {
                throw FeedError.emptied(previously: previously)
            }
            result.events = parsed.events.count
            result.problems = parsed.problems.map(\.description)
            await cache.store(key, url: feed.url.url, timeZone: zone, validators: response.validators, calendar: parsed)
            result.seconds = Date().timeIntervalSince(began)
            await report(result)
            return .calendar(parsed, response.validators)
        } catch {
            result.error = error
            result.seconds = Date().timeIntervalSince(began)
            await report(result)
            throw error.providerError
        }
    }

    /// RFC 5545 with the Recurrence parser's leniency; whole-body problems are errors (never "no events").
    static func parse(_ body: [UInt8], zone: TimeZone) throws(FeedError) -> ICalendar {
        do {
            return try ICalendar(data: Data(body), options: ICalendar.Options(floatingTimeZone: zone))
        } catch {
            switch error {
            case .empty: throw .notICalendar("the body is empty")
            case .notICalendar(let reason): throw .notICalendar(reason)
            case .truncated: throw .truncated(error.description)
            // A body cut inside a line ("END:VCAL") reads as BEGIN/END that do not pair: without END:VCALENDAR
            // anywhere it is a truncated body (worth retrying), not a malformed feed.
            case .unbalanced where !Self.containsEnd(body), .invalidLine where !Self.containsEnd(body): throw .truncated("\(error.description); the body has no END:VCALENDAR")
            default: throw .malformed(error.description)
            }
        }
    }

    static func containsEnd(_ body: [UInt8]) -> Bool {
        let end = Array("END:VCALENDAR".utf8)
        guard body.count >= end.count else { return false }
        for start in stride(from: body.count - end.count, through: 0, by: -1) where body[start] == 0x45 || body[start] == 0x65 {
            if zip(body[start..<(start + end.count)], end).allSatisfy({ ($0 & 0xDF) == $1 || $0 == $1 }) { return true }
        }
        return false
    }

    func events(_ calendar: ICalendar, from: Date, to: Date, calendarHash: String) throws(ProviderError) -> [SyncEvent] {
        do {
            return try calendar.occurrences(from: from, to: to).map { FeedEventMapping.syncEvent($0, calendarHash: calendarHash) }
        } catch {
            throw FeedError.malformed(error.description).providerError
        }
    }
}
