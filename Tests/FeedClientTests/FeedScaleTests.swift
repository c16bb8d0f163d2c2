import Foundation
import Testing
@testable import FeedClient
import SyncboardCore

/// Issue 29's sizes: 2,000 events, 20 of them changed. One GET, exactly the 20 as changes, none removed; the cursor's
/// size stays what `FeedCursor` says (about 60 bytes an event). Times are printed for BENCHMARKS.md, never asserted.
@Suite struct FeedScaleTests {
    static func feed(changing changed: Set<Int> = []) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Syncboard tests//EN"]
        for index in 0..<2_000 {
            let day = 1 + index / 80, minute = (index % 80) * 10
            let start = String(format: "202612%02dT%02d%02d00Z", day, 7 + minute / 60, minute % 60)
            lines += ["BEGIN:VEVENT", "UID:\(String(format: "%026x", index * 7_919))@google.com", "DTSTAMP:20261101T000000Z",
                      "DTSTART:\(start)", "DURATION:PT10M", "SUMMARY:Event \(index)\(changed.contains(index) ? " (changed)" : "")", "END:VEVENT"]
        }
        return StyledFeeds.crlf((lines + ["END:VCALENDAR", ""]).joined(separator: "\n"))
    }

    @Test func twentyChangesAmongTwoThousandEvents() async throws {
        let served = FeedProviderTests.Served(Self.feed())
        try await FeedProviderTests.withFeed(served) { server, provider, calendar in
            let clock = ContinuousClock()
            var listing: EventListing?
            let listTime = try await clock.measure { listing = try await provider.list(calendar, FeedProviderTests.query()) }
            let cursor = try #require(listing?.cursor)
            #expect(listing?.events.count == 2_000)
            #expect(cursor.utf8.count < 2_000 * 80, "\(cursor.utf8.count) bytes")

            let changedIndexes = Set(stride(from: 0, to: 2_000, by: 100))
            served.body.withLock { $0 = Self.feed(changing: changedIndexes) }
            let before = server.requests.count
            var changes: ChangeListing?
            let changesTime = try await clock.measure {
                changes = try await provider.changes(calendar, cursor, nil, FeedProviderTests.hash)
            }
            #expect(server.requests.count == before + 1)
            #expect(changes?.changed.count == 20)
            #expect(changes?.changed.allSatisfy { $0.title.hasSuffix("(changed)") } == true)
            #expect(changes?.removed.isEmpty == true)
            print("feed of 2,000 events: list \(listTime), changes with 20 changed \(changesTime) (debug build), cursor \(cursor.utf8.count) bytes")
        }
    }
}
