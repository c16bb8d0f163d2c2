import Foundation
import Testing
@testable import SyncboardCore

@Suite("Cadence and cron, across daylight-saving changes")
struct CadenceTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let job = UUID(uuidString: "3F2504E0-4F89-11D3-9A0C-0305E82C3301")!

    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    static func iso(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: zone).year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon))
    }

    @Test("cron parse errors are readable", arguments: [
        ("* * * *", "five fields"), ("60 * * * *", "out of range for the minute"), ("* 24 * * *", "out of range for the hour"),
        ("* * 0 * *", "day of month"), ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("*/0 * * * *", "positive number"),
        ("5-1 * * * *", "runs backwards"), ("a * * * *", "not a valid minute"), ("1,,2 * * * *", "empty list item"),
    ])
    func cronErrors(expression: String, message: String) {
        do {
            _ = try CronExpression(expression)
            Issue.record("\(expression) was accepted")
        } catch {
            #expect(error.message.contains(message), "\(expression): \(error.message)")
        }
    }

    @Test("names, steps, lists, Sunday as 0 or 7, and Vixie's day-of-month OR day-of-week")
    func cronSemantics() throws {
        let utc = TimeZone(identifier: "UTC")!
        let weekdays = try CronExpression("30 9 * JAN-DEC MON-FRI")
        let saturday = Self.date("2026-11-28T12:00:00Z")
        #expect(weekdays.next(after: saturday, in: utc) == Self.date("2026-11-30T09:30:00Z"))
        #expect(try CronExpression("0 0 * * 7").next(after: saturday, in: utc) == Self.date("2026-11-29T00:00:00Z"))
        // 1st of the month OR a Friday.
        let either = try CronExpression("0 12 1 * 5")
        #expect(either.next(after: Self.date("2026-11-24T00:00:00Z"), in: utc) == Self.date("2026-11-27T12:00:00Z"))
        #expect(either.next(after: Self.date("2026-11-27T13:00:00Z"), in: utc) == Self.date("2026-12-01T12:00:00Z"))
        #expect(try CronExpression("*/20 * * * *").next(after: Self.date("2026-11-24T10:41:00Z"), in: utc) == Self.date("2026-11-24T11:00:00Z"))
        #expect(try CronExpression("@daily").next(after: Self.date("2026-11-24T10:41:00Z"), in: utc) == Self.date("2026-11-25T00:00:00Z"))
    }

    @Test("expressions that never fire are refused; 29 February is fine")
    func neverFires() throws {
        #expect(!(try CronExpression("0 0 30 2 *")).everFires)
        #expect(!(try CronExpression("0 0 31 4,6,9,11 *")).everFires)
        #expect(try CronExpression("0 0 29 2 *").everFires)
        #expect(Cadence.cron("0 0 30 2 *").validate(timeZone: "UTC").map(\.field) == ["cadence.expression"])
        #expect(Cadence.cron("0 0 29 2 *").validate(timeZone: "UTC").isEmpty)
        #expect(Cadence.hourly.validate(timeZone: "Mars/Olympus").map(\.field) == ["timeZone"])
    }

    @Test("daily 02:30 in Berlin: the spring-forward day fires once, right after the gap; autumn fires once")
    func berlinDaily() {
        let cadence = Cadence.daily(hour: 2, minute: 30)
        let runs = cadence.nextRuns(after: Self.date("2026-03-27T12:00:00Z"), count: 4, timeZone: Self.berlin, jobID: Self.job)
        #expect(runs.map { Self.iso($0, Self.berlin) } == [
            "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00",
        ])
        let autumn = cadence.nextRuns(after: Self.date("2026-10-24T12:00:00Z"), count: 3, timeZone: Self.berlin, jobID: Self.job)
        #expect(autumn.map { Self.iso($0, Self.berlin) } == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00"])
    }

    @Test("New York: hourly cron across the autumn change fires at each real hour once; daily keeps its wall time")
    func newYork() throws {
        let everyHour = Cadence.cron("0 * * * *")
        let runs = everyHour.nextRuns(after: Self.date("2026-11-01T04:30:00Z"), count: 4, timeZone: Self.newYork, jobID: Self.job)
        // 00:00 EDT, 01:00 EDT, (01:00 EST is the same wall time: not again), 02:00 EST, 03:00 EST
        #expect(runs.map { Self.iso($0, Self.newYork) } == ["2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00",
                                                             "2026-11-01T03:00:00-05:00", "2026-11-01T04:00:00-05:00"])
        let daily = Cadence.daily(hour: 9, minute: 0).nextRuns(after: Self.date("2026-03-07T00:00:00Z"), count: 3, timeZone: Self.newYork, jobID: Self.job)
        #expect(daily.map { Self.iso($0, Self.newYork) } == ["2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00"])
        // A cron time inside the spring gap (02:30 on 8 March 2026) runs once, at 03:00.
        let gap = Cadence.cron("30 2 * * *").nextRuns(after: Self.date("2026-03-07T12:00:00Z"), count: 2, timeZone: Self.newYork, jobID: Self.job)
        #expect(gap.map { Self.iso($0, Self.newYork) } == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"])
    }

    @Test("presets run at a stable per-job offset, evenly spaced")
    func presets() {
        let after = Self.date("2026-11-24T10:00:00Z")
        let quarter = Cadence.every15Minutes.nextRuns(after: after, count: 3, timeZone: Self.berlin, jobID: Self.job)
        #expect(quarter[1].timeIntervalSince(quarter[0]) == 900 && quarter[2].timeIntervalSince(quarter[1]) == 900)
        #expect(quarter[0] > after && quarter[0] <= after.addingTimeInterval(900))
        let offset = Cadence.presetOffset(jobID: Self.job, period: 3600)
        #expect(offset == Cadence.presetOffset(jobID: Self.job, period: 3600), "stable")
        let hourly = Cadence.hourly.next(after: after, timeZone: Self.berlin, jobID: Self.job)!
        #expect(Int(hourly.timeIntervalSince1970) % 3600 == offset)
        // A thousand jobs spread over the hour instead of all starting at minute 0.
        let minutes = Set((0..<1000).map { _ in Cadence.presetOffset(jobID: UUID(), period: 3600) / 60 })
        #expect(minutes.count > 50)
    }

    @Test("cadences in words")
    func words() {
        #expect(Cadence.daily(hour: 6, minute: 30).words(jobID: nil) == "Daily at 06:30")
        #expect(Cadence.cron("0 9 * * 1-5").words(jobID: nil) == "Weekdays at 09:00")
        #expect(Cadence.cron("*/5 * * * *").words(jobID: nil) == "Every 5 minutes")
        #expect(Cadence.hourly.words(jobID: Self.job).hasPrefix("Hourly at :"))
    }

    @Test("cadences round-trip through JSON")
    func json() throws {
        for cadence in [Cadence.every15Minutes, .hourly, .daily(hour: 7, minute: 5), .cron("0 9 * * 1-5")] {
            let data = try JSONEncoder().encode(cadence)
            #expect(try JSONDecoder().decode(Cadence.self, from: data) == cadence)
        }
        #expect(String(decoding: try JSONEncoder().encode(Cadence.daily(hour: 7, minute: 5)), as: UTF8.self).contains(#""time":"07:05""#))
    }
}
