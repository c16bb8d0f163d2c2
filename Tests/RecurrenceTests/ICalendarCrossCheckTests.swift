import Foundation
import Testing
@testable import Recurrence

/// The feed fixtures (Outlook, Google, Apple, a school/sports publisher and a Nextcloud-style club calendar) expanded here and by the PyPI packages
/// `icalendar` and `recurring-ical-events` (Fixtures/ical_occurrences.py) must give the same occurrences in March and
/// April 2026: UID, start and end in UTC, summary. Skipped without python3 and those packages, except under CI=true,
/// where it fails (scripts/install-test-deps installs them from scripts/test-requirements.txt). A second test does the
/// same for random feeds (`RandomFeed`: 80 fixed seeds, SYNCBOARD_FEED_SEEDS=N for more). Where the two differ on
/// purpose, ICalendarDifferencesTests says so; neither the fixtures nor the random feeds touch those cases.
@Suite("Feed cross-check against icalendar and recurring-ical-events")
struct ICalendarCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ical_occurrences.py")
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let referenceAvailable = DateutilCrossCheckTests.run(["-c", "import icalendar, recurring_ical_events"])?.status == 0

    struct Reference: Decodable {
        struct Item: Decodable {
            var uid: String
            var start: String
            var end: String
            var summary: String
        }
        var occurrences: [Item]?
        var error: String?
    }

    @Test("every fixture feed expands to the same occurrences as recurring-ical-events",
          .enabled(if: referenceAvailable || underCI, "python3 with icalendar and recurring-ical-events is not installed (scripts/install-test-deps); cross-check skipped"))
    func crossCheck() throws {
        guard Self.referenceAvailable else {
            Issue.record("CI=true but python3 with icalendar and recurring-ical-events is missing: run scripts/install-test-deps")
            return
        }
        let paths = Feeds.styled.map { Feeds.directory.appendingPathComponent($0).path }
        let arguments = [Self.script.path, "20260301T000000Z", "20260501T000000Z"] + paths
        guard let output = DateutilCrossCheckTests.run(arguments), output.status == 0 else {
            Issue.record("ical_occurrences.py failed: \(DateutilCrossCheckTests.run(arguments)?.stderr ?? "could not start python3")")
            return
        }
        let results = try JSONDecoder().decode([String: Reference].self, from: output.stdout)
        var compared = 0
        for name in Feeds.styled {
            guard let theirs = results[name]?.occurrences else {
                Issue.record("\(name): recurring-ical-events failed: \(results[name]?.error ?? "no result")")
                continue
            }
            let ours = try Feeds.calendar(name).occurrences(from: Feeds.from, to: Feeds.to)
            #expect(!ours.isEmpty, "\(name) has occurrences in the window")
            let expected = theirs.map { "\($0.start) \($0.end) \($0.uid) \($0.summary)" }.sorted()
            let actual = Feeds.lines(ours).sorted()
            #expect(actual == expected, """
                \(name): only ours: \(Set(actual).subtracting(expected).sorted())
                only recurring-ical-events: \(Set(expected).subtracting(actual).sorted())
                """)
            compared += actual == expected ? ours.count : 0
        }
        print("Feed cross-check: \(Feeds.styled.count) feeds, \(compared) occurrences identical to recurring-ical-events")
    }

    /// A fixed list always runs; SYNCBOARD_FEED_SEEDS=N adds N more.
    static var randomSeeds: [UInt64] {
        let extra = Int(ProcessInfo.processInfo.environment["SYNCBOARD_FEED_SEEDS"] ?? "") ?? 0
        return Array(1...80) + (0..<UInt64(max(0, extra))).map { 10_000 + $0 }
    }

    @Test("random feeds expand to the same occurrences as recurring-ical-events",
          .enabled(if: referenceAvailable || underCI, "python3 with icalendar and recurring-ical-events is not installed (scripts/install-test-deps); cross-check skipped"))
    func randomFeeds() throws {
        guard Self.referenceAvailable else {
            Issue.record("CI=true but python3 with icalendar and recurring-ical-events is missing: run scripts/install-test-deps")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feed-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let feeds = Self.randomSeeds.map(RandomFeed.init(seed:))
        for feed in feeds { try Data(feed.text.utf8).write(to: directory.appendingPathComponent(feed.name)) }
        let arguments = [Self.script.path, "20260301T000000Z", "20260501T000000Z"] + feeds.map { directory.appendingPathComponent($0.name).path }
        guard let output = DateutilCrossCheckTests.run(arguments), output.status == 0 else {
            Issue.record("ical_occurrences.py failed: \(DateutilCrossCheckTests.run(arguments)?.stderr ?? "could not start python3")")
            return
        }
        let results = try JSONDecoder().decode([String: Reference].self, from: output.stdout)
        var agreed = 0, occurrences = 0
        for feed in feeds {
            guard let theirs = results[feed.name]?.occurrences else {
                Issue.record("\(feed.name): recurring-ical-events failed: \(results[feed.name]?.error ?? "no result")\n\(feed.text)")
                continue
            }
            let calendar = try ICalendar(parsing: feed.text)
            #expect(calendar.problems.isEmpty, "\(feed.name): \(calendar.problems)")
            let expected = theirs.map { "\($0.start) \($0.end) \($0.uid) \($0.summary)" }.sorted()
            let actual = Feeds.lines(try calendar.occurrences(from: Feeds.from, to: Feeds.to)).sorted()
            if actual == expected { agreed += 1; occurrences += actual.count } else {
                Issue.record("""
                    \(feed.name): only ours: \(Set(actual).subtracting(expected).sorted())
                    only recurring-ical-events: \(Set(expected).subtracting(actual).sorted())
                    \(feed.text)
                    """)
            }
        }
        print("Feed cross-check: \(feeds.count) random feeds, \(agreed) identical (\(occurrences) occurrences)")
    }
}
