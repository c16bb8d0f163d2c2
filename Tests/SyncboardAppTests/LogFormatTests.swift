import Foundation
import Logging
import Synchronization
import Testing
@testable import SyncboardApp

@Suite("Structured logs")
struct LogFormatTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test("one JSON object per line with time, level, message, request id and route")
    func jsonLine() throws {
        let sink = Lines()
        var logger = Logger(label: "test") { JSONLogHandler(label: $0, level: .debug, write: sink.append) }
        logger[metadataKey: "request-id"] = "req-123"
        logger[metadataKey: "route"] = "/jobs/:id"
        logger.info("request finished", metadata: ["status": "200", "tags": ["a", "b"]])
        logger.debug("multi\nline \"quoted\"")
        logger.trace("below the level: not written")

        #expect(sink.all.count == 2)
        for line in sink.all { #expect(!line.contains("\n")) }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sink.all[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "request finished")
        #expect(object["request_id"] as? String == "req-123")
        #expect(object["route"] as? String == "/jobs/:id")
        #expect(object["status"] as? String == "200")
        #expect(object["tags"] as? [String] == ["a", "b"])
        let time = try #require(object["time"] as? String)
        #expect(try Date(time, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) <= Date())
        let second = try #require(try JSONSerialization.jsonObject(with: Data(sink.all[1].utf8)) as? [String: Any])
        #expect(second["message"] as? String == "multi\nline \"quoted\"")
    }
}
