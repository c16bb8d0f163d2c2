import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

@Suite("Run log writer")
struct RunLogWriterTests {
    /// A CI run logged the timeout verdict first: appending it flushed the log, the flush suspended the writer, and
    /// the abandoned work's lines got in after it before the log was closed.
    @Test("the verdict closes the log as its last line, however busy the work that still logs", arguments: TestDatabase.all)
    func verdictIsLast(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await SchedulerTests.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil)
            let run = JobRun(jobID: jobID, trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
            try await run.create(on: app.db)
            let log = RunLogWriter(runID: try run.requireID(), db: app.db)
            await log.append("started", stream: .syncboard)
            // Quiet for longer than the writer's flush interval (a slow preparation), so that appending the verdict
            // would write to the database at once and suspend the writer.
            try await Task.sleep(for: .milliseconds(400))
            // Work that keeps logging, as abandoned work does until it notices its cancellation, while the verdict
            // closes the log.
            let work = Task {
                var index = 0
                while !Task.isCancelled {
                    await log.append("work line \(index)", stream: .stdout)
                    index += 1
                    await Task.yield()
                }
            }
            await log.close(withVerdict: "The run took longer than its limit and was stopped.")
            try await Task.sleep(for: .milliseconds(100))
            work.cancel()
            let (written, dropped) = await log.finish()
            let lines = try await RunLogLine.query(on: app.db).filter(\.$run.$id == run.requireID()).sort(\.$seq).all(\.$text)
            #expect(lines.first == "started")
            #expect(lines.last == "The run took longer than its limit and was stopped.")
            #expect(lines.count == written && dropped > 0, "lines after the verdict are dropped, and counted (\(written), \(dropped))")
        }
    }

    /// A CI run crashed in SQLite's driver: a run cancelled at shutdown was abandoned, and its work went on logging
    /// into a database the test's application was closing.
    @Test("a cancelled run's log takes no more lines: what abandoned work still logs is dropped and counted, never written")
    func closedAfterCancel() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let (user, source, destination) = try await SchedulerTests.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil)
            let run = JobRun(jobID: jobID, trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
            try await run.create(on: app.db)
            let log = RunLogWriter(runID: try run.requireID(), db: app.db)
            await log.append("started", stream: .syncboard)
            await log.close()
            for index in 0..<300 { await log.append("abandoned line \(index)", stream: .stdout) }
            let (written, dropped) = await log.finish()
            let lines = try await RunLogLine.query(on: app.db).filter(\.$run.$id == run.requireID()).all(\.$text)
            #expect(lines == ["started"] && written == 1 && dropped == 300, "\(lines.count) lines, \(written) written, \(dropped) dropped")
        }
    }
}
