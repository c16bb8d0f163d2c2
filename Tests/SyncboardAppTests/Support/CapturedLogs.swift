import Foundation
import Logging
import Synchronization

/// Every log line the test process writes, kept in memory so tests can check that no secret was logged.
/// swift-log can be bootstrapped once per process; the first test that needs it does so.
enum CapturedLogs {
    static let lines = Mutex<[String]>([])
    private static let bootstrapped = Mutex(false)

    static func install() {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = CapturingHandler(label: label)
                handler.logLevel = .trace
                return handler
            }
        }
    }

    static func contains(_ text: String) -> Bool { lines.withLock { $0.contains { $0.contains(text) } } }

    struct CapturingHandler: LogHandler {
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let line = "\(event.level) \(label): \(event.message) \(all.map { "\($0)=\($1)" }.joined(separator: " "))"
            CapturedLogs.lines.withLock { $0.append(line) }
        }
    }
}
