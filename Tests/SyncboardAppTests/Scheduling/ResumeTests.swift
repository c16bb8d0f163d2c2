import Fluent
import Foundation
import SyncboardCore
import Testing
@testable import SyncboardApp

/// Resuming a paused job over a real socket: changes made while it was paused should not wait for the next slot.
@Suite("Resuming a paused job")
struct ResumeTests {
    @Test("a resumed real-time job runs at once; a job whose slot passed while paused runs at once; one whose slot is still ahead waits for it",
          arguments: TestDatabase.all)
    func resumeRunsWhatWasMissed(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let setup = try await NotificationFixtures.make(app)
            let script = try await BearerClient.issue(for: setup.user, scope: .readWrite, on: app)
            let http = try await LiveHTTP.serve(app)

            func job(_ cadence: Cadence, lastRunMinutesAgo: Double?) async throws -> UUID {
                let id = try await setup.job(app, name: "\(cadence.kind) \(lastRunMinutesAgo ?? -1)")
                let job = try #require(try await SyncJob.find(id, on: app.db))
                job.cadence = cadence
                try await job.save(on: app.db)
                if let minutes = lastRunMinutesAgo { try await setup.run(app, job: id, NotificationFixtures.success, at: Date().addingTimeInterval(-minutes * 60)) }
                #expect(try await http.api(.POST, "/api/v1/jobs/\(id)/pause", token: script.token).status == 200)
                return id
            }
            let realtime = try await job(.realtime, lastRunMinutesAgo: 1)
            let missedHourly = try await job(.hourly, lastRunMinutesAgo: 130)
            let neverRan = try await job(.every15Minutes, lastRunMinutesAgo: nil)
            // The created_at of a job that never ran is its reference: 40 minutes ago, so a 15-minute slot passed.
            try await SyncJob.query(on: app.db).filter(\.$id == neverRan).set(\.$createdAt, to: Date().addingTimeInterval(-40 * 60)).update()
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = .gmt  // the fixtures' jobs run in UTC
            let daily = try await job(.daily(hour: (utc.component(.hour, from: Date()) + 12) % 24, minute: 0), lastRunMinutesAgo: 5)

            let before = Date()
            for id in [realtime, missedHourly, neverRan, daily] {
                let answer = try await http.api(.POST, "/api/v1/jobs/\(id)/resume", token: script.token)
                #expect(answer.status == 200, "\(answer.body)")
            }
            func next(_ id: UUID) async throws -> Date { try #require(try await SyncJob.find(id, on: app.db)?.nextRunAt) }
            let realtimeNext = try await next(realtime)
            #expect(realtimeNext <= Date() && realtimeNext >= before.addingTimeInterval(-1))
            #expect(try await next(missedHourly) <= Date())
            #expect(try await next(neverRan) <= Date())
            #expect(try await next(daily) > Date().addingTimeInterval(3600), "a daily slot 12 hours ahead that has not passed since the last run waits")
        }
    }
}
