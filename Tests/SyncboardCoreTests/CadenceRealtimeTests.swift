import Foundation
import Testing
@testable import SyncboardCore

@Suite("Cadence: real time")
struct CadenceRealtimeTests {
    @Test("stored as {\"kind\": \"realtime\"}; the next check is the interval the app gives (a minute by default); said in words")
    func realtime() throws {
        let data = try JSONEncoder().encode(Cadence.realtime)
        #expect(String(decoding: data, as: UTF8.self) == #"{"kind":"realtime"}"#)
        #expect(try JSONDecoder().decode(Cadence.self, from: data) == .realtime)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let utc = TimeZone(identifier: "UTC")!
        #expect(Cadence.realtime.next(after: now, timeZone: utc, jobID: UUID()) == now.addingTimeInterval(60))
        #expect(Cadence.realtime.next(after: now, timeZone: utc, jobID: UUID(), realtimeInterval: 900) == now.addingTimeInterval(900))
        #expect(Cadence.realtime.nextRuns(after: now, count: 3, timeZone: utc, jobID: UUID()).count == 3)
        #expect(Cadence.realtime.words(jobID: nil) == "Real time" && Cadence.realtime.isRealtime && !Cadence.hourly.isRealtime)
        #expect(Cadence.realtime.validate(timeZone: "UTC").isEmpty)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Cadence.self, from: Data(#"{"kind":"instant"}"#.utf8)) }
    }
}
