import Foundation
@testable import GoogleEmulator
import Testing
import Vapor
import VaporTesting
@testable import SyncboardApp

/// The propagation latency histogram: an incremental run that writes a changed event's copy records its latency,
/// from the source event's `updated` to the write, and /metrics exports it.
@Suite("Propagation latency metric")
struct PropagationMetricTests {
    static let name = "syncboard_propagation_latency_seconds"

    /// The histogram's count in the exposition, 0 while it has none (the registry is shared by the whole process).
    static func count(_ text: String) -> Int {
        text.split(separator: "\n").first { $0.hasPrefix("\(name)_count ") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    static func metrics(_ app: Application) async throws -> String {
        var text = ""
        try await app.testing().test(.GET, "metrics") { response async throws in
            #expect(response.status == .ok)
            text = response.body.string
        }
        return text
    }

    @Test("/metrics shows the histogram after a change propagated by an incremental run")
    func histogramAfterPropagation() async throws {
        MetricsSetup.bootstrap()
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            let state = setup.emulator.state
            try await BuiltinRunExecutorTests.addEvent(state, "Planning", inDays: 1)
            let (full, _) = try await BuiltinRunExecutorTests.execute(setup, app: app)
            #expect(full.syncKind == .full && full.created == 1)
            let (quiet, _) = try await BuiltinRunExecutorTests.execute(setup, app: app)
            #expect(quiet.syncKind == .incremental && (quiet.created ?? 0) + (quiet.updated ?? 0) + (quiet.deleted ?? 0) == 0)
            let before = Self.count(try await Self.metrics(app))

            let original = try #require(await state.storedEvents(calendarID: BuiltinRunExecutorTests.work).first?["id"]?.string)
            _ = try await state.changeEvent(calendarID: BuiltinRunExecutorTests.work, eventID: original, patch: ["summary": "Planning (moved)"])
            let (changed, log) = try await BuiltinRunExecutorTests.execute(setup, app: app)
            #expect(changed.syncKind == .incremental && changed.updated == 1, "\(log)")

            let text = try await Self.metrics(app)
            #expect(text.contains("# TYPE \(Self.name) histogram"))
            #expect(text.contains(#"\#(Self.name)_bucket{le="900.0"}"#) || text.contains(#"\#(Self.name)_bucket{le="900"}"#),
                    "buckets reach the 15-minute cadence:\n\(text.split(separator: "\n").filter { $0.hasPrefix(Self.name) }.joined(separator: "\n"))")
            // Other tests in this process may record too: at least this run's one copy was counted.
            #expect(Self.count(text) >= before + 1)
        }
    }
}
