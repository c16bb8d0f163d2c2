import Foundation
import Testing
@testable import FeedClient
import SyncboardCore

/// The SyncEvents the provider makes of the Outlook-, Google- and Apple-style feeds, against what the PyPI packages
/// `icalendar` and `recurring-ical-events` expand them to (the Recurrence tests' script,
/// Tests/RecurrenceTests/Fixtures/ical_occurrences.py): same starts, ends, UIDs and summaries. (The school feed is
/// left out: the script reads floating times as UTC and gives an all-day event without DTEND no length, where
/// RFC 5545 §3.6.1 gives it one day.)
@Suite struct FeedCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../RecurrenceTests/Fixtures/ical_occurrences.py").standardizedFileURL
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let referenceAvailable = python(["-c", "import icalendar, recurring_ical_events"])?.status == 0

    struct Reference: Decodable {
        struct Item: Decodable { var uid: String; var start: String; var end: String; var summary: String }
        var occurrences: [Item]?
        var error: String?
    }

    @Test(.enabled(if: referenceAvailable || underCI, "python3 with icalendar and recurring-ical-events is not installed (scripts/install-test-deps)"))
    func styledFeedsMatchRecurringICalEvents() async throws {
        guard Self.referenceAvailable else {
            Issue.record("CI=true but python3 with icalendar and recurring-ical-events is missing: run scripts/install-test-deps")
            return
        }
        let feeds = ["outlook.ics": StyledFeeds.outlook, "google.ics": StyledFeeds.google, "apple.ics": StyledFeeds.apple]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feed-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in feeds { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        let arguments = [Self.script.path, "20260601T000000Z", "20270201T000000Z"] + feeds.keys.sorted().map { directory.appendingPathComponent($0).path }
        let output = try #require(Self.python(arguments))
        try #require(output.status == 0, "ical_occurrences.py: \(output.stderr)")
        let results = try JSONDecoder().decode([String: Reference].self, from: output.stdout)

        for (name, text) in feeds.sorted(by: { $0.key < $1.key }) {
            let theirs = try #require(results[name]?.occurrences, "\(name): \(results[name]?.error ?? "no result")")
            let served = FeedProviderTests.Served(text)
            let ours = try await FeedProviderTests.withFeed(served) { _, provider, calendar in
                try await provider.list(calendar, FeedProviderTests.query()).events
            }
            #expect(!ours.isEmpty)
            let expected = theirs.map { "\($0.start) \($0.end) \($0.uid) \($0.summary)" }.sorted()
            #expect(ours.map(Self.line).sorted() == expected, "\(name)")
        }
    }

    /// As the script writes an occurrence: UTC instants `yyyyMMddTHHmmssZ`, all-day dates `yyyyMMdd`.
    static func line(_ event: SyncEvent) -> String {
        func text(_ date: Date) -> String {
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
            return event.allDay ? day : day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!)
        }
        return "\(text(event.start)) \(text(event.end)) \(event.iCalUID) \(event.title)"
    }

    static func python(_ arguments: [String]) -> (status: Int32, stdout: Data, stderr: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("feed-crosscheck-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        guard let errorHandle = try? FileHandle(forWritingTo: errors) else { return nil }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errorHandle
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errorHandle.close()
        return (process.terminationStatus, data, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
