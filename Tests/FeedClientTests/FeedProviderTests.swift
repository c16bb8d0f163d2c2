import Foundation
import Synchronization
import Testing
import Vapor
@testable import FeedClient
import SyncboardCore

/// `CalendarProvider.feed` against a feed server of the test's own: the SyncEvents each publisher's style gives,
/// ids that stay put across fetches, conditional refreshes, diffs, and the refusals that keep a broken feed from
/// reading as "everything was deleted".
@Suite struct FeedProviderTests {
    static let window = (start: instant("20260601T000000Z"), end: instant("20270201T000000Z"))
    static let hash = "feed-hash"

    /// `yyyyMMddTHHmmssZ` (RFC 5545's UTC form) as an instant.
    static func instant(_ text: String) -> Date {
        let digits = text.filter(\.isNumber).map { Int(String($0))! }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        return utc.date(from: DateComponents(year: number(0..<4), month: number(4..<6), day: number(6..<8),
                                             hour: number(8..<10), minute: number(10..<12), second: number(12..<14)))!
    }

    static func query(ordered: Bool = true) -> EventQuery {
        EventQuery(start: window.start, end: window.end, ordered: ordered, eventTypes: nil, calendarHash: hash)
    }

    /// A served feed whose body and validators the test changes between fetches.
    final class Served: Sendable {
        let body: Mutex<String>
        let etag = Mutex<String?>(nil)
        init(_ body: String) { self.body = Mutex(body) }

        func routes(_ app: Application) {
            app.get("cal.ics") { req -> Response in
                let etag = self.etag.withLock { $0 }
                if let etag, req.headers.first(name: "If-None-Match") == etag { return Response(status: .notModified, headers: ["ETag": etag]) }
                return .calendar(self.body.withLock { $0 }, headers: etag.map { [("ETag", $0)] } ?? [])
            }
        }
    }

    /// A served feed, the provider over it, and the calendar that names it.
    @discardableResult
    static func withFeed<T>(_ served: Served, zone: TimeZone = TimeZone(identifier: "UTC")!,
                            _ body: (FeedServer, CalendarProvider, CalendarAccess) async throws -> T) async throws -> T {
        try await FeedServer.with(served.routes) { server, fetcher in
            let provider = CalendarProvider.feed(fetcher, subscription: { calendar throws(ProviderError) in
                var feed = try FeedSubscription.fromAccess(calendar)
                feed.floatingTimeZone = zone
                return feed
            })
            return try await body(server, provider, CalendarAccess(provider: .icsFeed, id: server.url("/cal.ics"), accessToken: ""))
        }
    }

    struct Seen: Equatable, CustomStringConvertible {
        var id: String
        var title: String
        var start: String
        var end: String
        var allDay: Bool
        var description: String { "\(id) \(title) \(start)–\(end)\(allDay ? " all-day" : "")" }
    }

    static func seen(_ events: [SyncEvent]) -> [Seen] {
        events.map { Seen(id: $0.id, title: $0.title, start: $0.start.formatted(.iso8601), end: $0.end.formatted(.iso8601), allDay: $0.allDay) }
    }

    // MARK: Publishers' styles

    /// Outlook: Windows zone names resolved (W. Europe Standard Time is Europe/Berlin, UTC+1 in December), the
    /// EXDATE'd Tuesday left out, UNTIL inclusive (RFC 5545 §3.3.10), an all-day event that is free and private.
    @Test func outlookStyle() async throws {
        try await Self.withFeed(Served(StyledFeeds.outlook)) { _, provider, calendar in
            let listing = try await provider.list(calendar, Self.query())
            let series = "040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6B7"
            #expect(Self.seen(listing.events) == [
                Seen(id: series + "_20261201T090000Z", title: "Team sync", start: "2026-12-01T09:00:00Z", end: "2026-12-01T09:30:00Z", allDay: false),
                Seen(id: "040000008200E00074C5B7101A82E00800000000FFFF0000", title: "Offsite", start: "2026-12-14T00:00:00Z",
                     end: "2026-12-16T00:00:00Z", allDay: true),
                Seen(id: series + "_20261215T090000Z", title: "Team sync", start: "2026-12-15T09:00:00Z", end: "2026-12-15T09:30:00Z", allDay: false),
                Seen(id: series + "_20261222T090000Z", title: "Team sync", start: "2026-12-22T09:00:00Z", end: "2026-12-22T09:30:00Z", allDay: false),
            ])
            let sync = try #require(listing.events.first)
            #expect(sync.location == "Room 4")
            #expect(sync.description == "\n")
            #expect(sync.transparent == false)
            #expect(sync.visibility == "public")
            #expect(sync.iCalUID == series)
            #expect(sync.metadata == SyncMetadata(originalEventID: sync.id, htmlLink: "", calendarHash: Self.hash))
            let offsite = listing.events[1]
            #expect(offsite.transparent == true)
            #expect(offsite.visibility == "private")
            #expect(listing.cursor?.hasPrefix("feed1:") == true)
        }
    }

    /// Google: IANA zones, a RECURRENCE-ID override that moves the 3 December standup to 11:30 (its id keeps the
    /// original start, §3.8.4.4), the EXDATE'd 4 December gone, TEXT escapes and a folded line read (§3.3.11, §3.1),
    /// and a UID with underscores kept apart from the instance separator.
    @Test func googleStyle() async throws {
        try await Self.withFeed(Served(StyledFeeds.google)) { _, provider, calendar in
            let events = try await provider.list(calendar, Self.query()).events
            let series = "7kukuqrfedlm2f9t5tdq6i2ake@google.com"
            #expect(Self.seen(events) == [
                Seen(id: series + "_20261202T080000Z", title: "Standup", start: "2026-12-02T08:00:00Z", end: "2026-12-02T08:15:00Z", allDay: false),
                Seen(id: series + "_20261203T080000Z", title: "Standup (moved)", start: "2026-12-03T10:30:00Z", end: "2026-12-03T11:00:00Z", allDay: false),
                Seen(id: series + "_20261205T080000Z", title: "Standup", start: "2026-12-05T08:00:00Z", end: "2026-12-05T08:15:00Z", allDay: false),
                Seen(id: series + "_20261206T080000Z", title: "Standup", start: "2026-12-06T08:00:00Z", end: "2026-12-06T08:15:00Z", allDay: false),
                Seen(id: "holiday%5F2026%5F12%5F24@google.com", title: "Christmas Eve", start: "2026-12-24T00:00:00Z", end: "2026-12-25T00:00:00Z", allDay: true),
            ])
            #expect(events[0].description == "Daily standup, five days. Agenda:\nblockers; then plans and a long line that Google folds at seventy-five octets")
            #expect(events[0].location == "")
            #expect(!events[4].id.contains("_"), "a single event's id has no instance separator")
        }
    }

    /// Apple: a VTIMEZONE for America/New_York (UTC−5 in December), DURATION instead of DTEND (§3.8.2.5), a
    /// multi-day all-day event; the VALARM is not a reminder the engine copies.
    @Test func appleStyle() async throws {
        try await Self.withFeed(Served(StyledFeeds.apple)) { _, provider, calendar in
            let events = try await provider.list(calendar, Self.query()).events
            #expect(Self.seen(events) == [
                Seen(id: "5F0C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B", title: "Dinner at Luigi's", start: "2026-12-05T23:00:00Z", end: "2026-12-06T01:30:00Z",
                     allDay: false),
                Seen(id: "9E8D7C6B-5A49-4382-9170-6F5E4D3C2B1A", title: "Trip to the coast", start: "2026-12-26T00:00:00Z", end: "2026-12-29T00:00:00Z",
                     allDay: true),
            ])
            #expect(events[0].location == "Luigi's\nMain St 1")
            #expect(events[0].reminders.isEmpty)
        }
    }

    /// A school's timetable: floating times in the subscription's zone (Europe/London, UTC+1 in June: §3.3.5),
    /// DURATION, a DATE without DTEND lasting one day and a DATE-TIME without DTEND lasting nothing (§3.6.1), LF
    /// endings, and an event without a UID that still gets an id that stays put.
    @Test func schoolStyleWithFloatingTimes() async throws {
        try await Self.withFeed(Served(StyledFeeds.school), zone: TimeZone(identifier: "Europe/London")!) { _, provider, calendar in
            let first = try await provider.list(calendar, Self.query()).events
            #expect(first.count == 3)
            #expect(Self.seen([first[0], first[2]]) == [
                Seen(id: "match-101@riverside.example", title: "Home game vs. Rovers", start: "2026-06-13T14:30:00Z", end: "2026-06-13T16:15:00Z", allDay: false),
                Seen(id: "term-end@riverside.example", title: "Term ends", start: "2026-07-17T11:00:00Z", end: "2026-07-17T11:00:00Z", allDay: false),
            ])
            let sportsDay = first[1]
            #expect(sportsDay.title == "Sports day")
            #expect(sportsDay.allDay)
            #expect(sportsDay.start == Self.instant("20260619T000000Z"))
            #expect(sportsDay.end == Self.instant("20260620T000000Z"))
            #expect(sportsDay.id.hasPrefix("syncboard-"))
            let again = try await provider.list(calendar, Self.query()).events
            #expect(again.map(\.id) == first.map(\.id), "ids are the same on every fetch")
        }
    }

    // MARK: Refreshes

    /// A quiet refresh: one conditional request answered 304, no changes, the same cursor (RFC 9110 §13.1.2).
    @Test func quietRefreshIsOne304() async throws {
        let served = Served(StyledFeeds.google)
        served.etag.withLock { $0 = "\"g1\"" }
        try await Self.withFeed(served) { server, provider, calendar in
            let listing = try await provider.list(calendar, Self.query())
            let cursor = try #require(listing.cursor)
            let before = server.requests.count
            let changes = try await provider.changes(calendar, cursor, nil, Self.hash)
            #expect(changes.changed.isEmpty)
            #expect(changes.removed.isEmpty)
            #expect(changes.count == 0)
            #expect(changes.nextCursor == cursor)
            #expect(server.requests.count == before + 1)
            #expect(server.requests.last?.headers["if-none-match"] == "\"g1\"")
        }
    }

    /// A changed feed: one GET; only the changed and new occurrences are changes, the ones gone are removals, and a
    /// body served again unchanged (a server without validators) is no change at all.
    @Test func changedFeedIsDiffedAgainstTheCursor() async throws {
        let served = Served(StyledFeeds.google)
        try await Self.withFeed(served) { server, provider, calendar in
            let listing = try await provider.list(calendar, Self.query())
            let series = "7kukuqrfedlm2f9t5tdq6i2ake@google.com"

            // Unchanged body, no validators: read again, nothing changed.
            let same = try await provider.changes(calendar, try #require(listing.cursor), nil, Self.hash)
            #expect(same.count == 0)
            #expect(same.changed.isEmpty && same.removed.isEmpty)

            // The override renamed, 6 December excluded too, a new event, Christmas Eve removed.
            served.body.withLock { body in
                body = body.replacingOccurrences(of: "SUMMARY:Standup (moved)", with: "SUMMARY:Standup (moved to the lab)")
                    .replacingOccurrences(of: "EXDATE;TZID=Europe/Berlin:20261204T090000", with: "EXDATE;TZID=Europe/Berlin:20261204T090000,20261206T090000")
                    .replacingOccurrences(of: "UID:holiday_2026_12_24@google.com\r\nSUMMARY:Christmas Eve",
                                          with: "UID:review-1@google.com\r\nSUMMARY:Design review")
            }
            let before = server.requests.count
            let changes = try await provider.changes(calendar, try #require(same.nextCursor), nil, Self.hash)
            #expect(server.requests.count == before + 1)
            #expect(changes.changed.map(\.id) == [series + "_20261203T080000Z", "review-1@google.com"])
            #expect(changes.changed.map(\.title) == ["Standup (moved to the lab)", "Design review"])
            #expect(changes.removed == [series + "_20261206T080000Z", "holiday%5F2026%5F12%5F24@google.com"].sorted())
            #expect(changes.count == 4)
            #expect(changes.changedAt[series + "_20261203T080000Z"] == Self.instant("20261122T080000Z"))

            // And from there, nothing again.
            let quiet = try await provider.changes(calendar, try #require(changes.nextCursor), nil, Self.hash)
            #expect(quiet.count == 0)
        }
    }

    /// An event the parser has to leave out (here a DTSTART that is not a date) is not a deleted event: its copies
    /// stay, and when it can be read again it is not new.
    @Test func unreadableEventKeepsItsCopies() async throws {
        let served = Served(StyledFeeds.apple)
        try await Self.withFeed(served) { _, provider, calendar in
            let listing = try await provider.list(calendar, Self.query())
            served.body.withLock { $0 = $0.replacingOccurrences(of: "DTSTART;TZID=America/New_York:20261205T180000", with: "DTSTART;TZID=America/New_York:2026-12-05 18:00") }
            let broken = try await provider.changes(calendar, try #require(listing.cursor), nil, Self.hash)
            #expect(broken.removed.isEmpty)
            #expect(broken.changed.isEmpty)
            // A full listing keeps the version read last too, so a full reconciliation does not delete its copy.
            let full = try await provider.list(calendar, Self.query())
            #expect(full.events.map(\.title) == listing.events.map(\.title))
            served.body.withLock { $0 = StyledFeeds.apple }
            let repaired = try await provider.changes(calendar, try #require(broken.nextCursor), nil, Self.hash)
            #expect(repaired.count == 0)
        }
    }

    /// A cursor this provider did not write: list in full.
    @Test func foreignCursorExpires() async throws {
        try await Self.withFeed(Served(StyledFeeds.google)) { _, provider, calendar in
            await #expect(throws: ProviderError(.cursorExpired, "the stored cursor is not a feed cursor")) {
                try await provider.changes(calendar, "CPjC1Yq8kYEDEPjC1Yq8kYED", nil, Self.hash)
            }
        }
    }

    // MARK: Never "everything was deleted"

    /// Truncated (no END:VCALENDAR), an HTML login page, a body that became empty of events: each refresh fails
    /// with a reason, and no change (no removal) is reported.
    @Test func brokenBodiesAreRefusedNotReadAsDeletions() async throws {
        let served = Served(StyledFeeds.outlook)
        try await Self.withFeed(served) { _, provider, calendar in
            let listing = try await provider.list(calendar, Self.query())
            #expect(listing.events.count == 4)
            let cursor = try #require(listing.cursor)
            let outlook = StyledFeeds.outlook
            let cases: [(String, String, ProviderError.Kind, String)] = [
                ("truncated", String(outlook[..<outlook.range(of: "END:VEVENT\r\nEND:VCALENDAR")!.upperBound].dropLast("END:VCALENDAR".count)),
                 .transient, "incomplete"),
                ("cut mid-event", String(outlook.prefix(outlook.count / 2)), .transient, "incomplete"),
                ("cut in the last line", String(outlook.dropLast("ENDAR".count)), .transient, "incomplete"),
                ("login page", "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>…</form></body></html>", .misconfigured, "HTML"),
                ("empty body", "", .misconfigured, "iCalendar"),
                ("no events", StyledFeeds.crlf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example//EN\nEND:VCALENDAR\n"), .transient, "no events, after 2"),
            ]
            for (name, body, kind, phrase) in cases {
                served.body.withLock { $0 = body }
                let error = await #expect(throws: ProviderError.self, "\(name)") { try await provider.changes(calendar, cursor, nil, Self.hash) }
                #expect(error?.kind == kind, "\(name)")
                #expect(error?.description.contains(phrase) == true, "\(name): \(error?.description ?? "")")
                // A full listing refuses them too (it knows the feed had events from its last body).
                let full = await #expect(throws: ProviderError.self, "\(name)") { try await provider.list(calendar, Self.query()) }
                #expect(full?.kind == kind, "\(name)")
            }
            // Back to normal: nothing changed since the cursor.
            served.body.withLock { $0 = StyledFeeds.outlook }
            #expect(try await provider.changes(calendar, cursor, nil, Self.hash).count == 0)
        }
    }

    /// A feed that never had events may be empty (a new club calendar): no error.
    @Test func aFeedThatNeverHadEventsMayBeEmpty() async throws {
        try await Self.withFeed(Served(StyledFeeds.crlf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example//EN\nEND:VCALENDAR\n"))) { _, provider, calendar in
            let events = try await provider.list(calendar, Self.query()).events
            #expect(events.isEmpty)
        }
    }

    /// The fetch report (the feed's health): status, 304, events read; and the provider is read-only.
    @Test func reportsEachFetchAndIsReadOnly() async throws {
        let served = Served(StyledFeeds.google)
        served.etag.withLock { $0 = "\"r1\"" }
        let reports = Mutex<[FeedFetchReport]>([])
        try await FeedServer.with(served.routes) { server, fetcher in
            let provider = CalendarProvider.feed(fetcher, report: { report in reports.withLock { $0.append(report) } })
            #expect(provider.writes == nil)
            let calendar = CalendarAccess(provider: .icsFeed, id: server.url("/cal.ics?token=s3cret"), accessToken: "")
            let listing = try await provider.list(calendar, Self.query())
            _ = try await provider.changes(calendar, try #require(listing.cursor), nil, Self.hash)
            // A second full listing asks conditionally and reads the body this process kept.
            let again = try await provider.list(calendar, Self.query())
            #expect(again.events.map(\.id) == listing.events.map(\.id))
            #expect(server.requests.last?.headers["if-none-match"] == "\"r1\"")
            let seen = reports.withLock { $0 }
            #expect(seen.map(\.status) == [200, 304, 304])
            #expect(seen.map(\.notModified) == [false, true, true])
            #expect(seen[0].events == 3, "VEVENTs read: the series, its override, the holiday")
            #expect(seen.allSatisfy { !$0.url.contains("s3cret") })
        }
    }

    /// `fetch`: one occurrence by its id as the feed has it now; nil when it is gone.
    @Test func fetchesOneOccurrence() async throws {
        try await Self.withFeed(Served(StyledFeeds.google)) { _, provider, calendar in
            let moved = try await provider.fetch(calendar, "7kukuqrfedlm2f9t5tdq6i2ake@google.com_20261203T080000Z", Self.hash)
            #expect(moved?.title == "Standup (moved)")
            #expect(try await provider.fetch(calendar, "7kukuqrfedlm2f9t5tdq6i2ake@google.com_20261204T080000Z", Self.hash) == nil)
            #expect(try await provider.fetch(calendar, "nobody@example.org", Self.hash) == nil)
        }
    }
}
