import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Push channels against the Google emulator over HTTP: one channel per watched calendar whatever the number of
/// keepers, renewed before expiry, stopped when no enabled real-time job needs it; notifications authenticated and
/// coalesced into one run per job.
@Suite("Push notifications: channels and the notification endpoint")
struct PushChannelTests {
    @Test("one channel per watched calendar across keepers; the sync message is accepted; stopped on pause, move and delete; taken over after a lease expires",
          arguments: TestDatabase.all)
    func channelLifecycle(database: TestDatabase) async throws {
        try await PushWorld.with(on: database) { world in
            let first = try world.keeper("worker-1"), second = try world.keeper("worker-2")
            await first.tick()
            await second.tick()
            await first.tick()
            #expect(await world.liveChannels(PushWorld.work).count == 1, "exactly one channel, whoever looks")
            #expect(try await world.activeRows().count == 1)
            let row = try #require(try await world.activeRows().first)
            // worker-1 looked first, but on a busy machine its tick may fail (a timeout) and worker-2 opens the channel:
            // either way exactly one keeper owns it, and the other one is the one to take it over below.
            #expect(["worker-1", "worker-2"].contains(row.workerID) && row.resourceID != nil && row.tokenDigest.count == 64)
            let (other, otherID) = row.workerID == "worker-1" ? (second, "worker-2") : (first, "worker-1")
            try await eventually(timeout: .seconds(30), "the sync message reaches the app") {
                try await PushChannel.find(row.id, on: world.app.db)?.lastMessageAt != nil
            }
            // The sync message (the channel's opening) is a reason for one incremental run: a change made between the
            // job's last run and this moment announced nothing else.
            await world.app.pushCoalescer?.flush()
            #expect(try await world.job().nextRunAt! <= Date(), "the sync message makes the job due")

            // A keeper that finds the owner's lease expired (the owner died) takes the channel over; none is reopened.
            await other.tick(now: Date().addingTimeInterval(world.settings.leaseDuration + 1))
            #expect(try await world.activeRows().map(\.workerID) == [otherID])
            #expect(await world.state.watchChannels().count == 1)

            // Paused: no enabled job needs the calendar.
            let job = try await world.job()
            job.enabled = false
            try await job.save(on: world.app.db)
            // A tick whose stop call times out on a busy machine leaves the channel to the next tick, as a keeper does.
            try await eventually("the paused job's channel is stopped") {
                await second.tick()
                return await world.liveChannels(PushWorld.work).isEmpty
            }
            #expect(try await PushChannel.find(row.id, on: world.app.db)?.status == .stopped)

            // Resumed, then moved to another source: the old calendar's channel stops, the new one's opens.
            job.enabled = true
            try await job.save(on: world.app.db)
            await first.tick()
            #expect(await world.liveChannels(PushWorld.work).count == 1)
            job.$sourceCalendar.id = try world.calendars[PushWorld.team]!.requireID()
            try await job.save(on: world.app.db)
            await first.tick()
            #expect(await world.liveChannels(PushWorld.work).isEmpty)
            #expect(await world.liveChannels(PushWorld.team).count == 1)

            // A job on another cadence needs no channel; deleting the real-time job stops the last one.
            try await job.delete(on: world.app.db)
            await first.tick()
            #expect(await world.state.watchChannels().allSatisfy { !$0.isLive })
            #expect(try await world.activeRows().isEmpty)
        }
    }

    @Test("a channel is renewed before it expires: a new one opens, then the old one is stopped (a controlled clock)")
    func renewal() async throws {
        try await PushWorld.with { world in
            var settings = world.settings
            settings.channelLifetime = 40
            let keeper = try world.keeper("worker-1", settings: settings)
            let start = Date()
            await keeper.tick(now: start)
            let original = try #require(await world.liveChannels(PushWorld.work).first)
            // The emulator dates the channel by the real clock, which a busy machine moves on during the tick: the
            // keeper's later ticks are placed by the channel's own expiration, not by `start`.
            #expect(original.expiration.timeIntervalSince(start) >= 39 && original.expiration.timeIntervalSince(start) < 100,
                    "the channel lives as long as asked: \(original.expiration.timeIntervalSince(start))")
            let opened = original.expiration.addingTimeInterval(-40)
            await keeper.tick(now: opened.addingTimeInterval(20))
            #expect(await world.state.watchChannels().count == 1, "half its life left: kept")
            await keeper.tick(now: opened.addingTimeInterval(31))
            let channels = await world.state.watchChannels()
            #expect(channels.count == 2)
            #expect(channels.first { $0.id == original.id }?.stopped == true, "the old channel is stopped once the new one is open")
            #expect(await world.liveChannels(PushWorld.work).count == 1)
            #expect(try await world.activeRows().count == 1)
        }
    }

    @Test("a real-time group watches every member: a change in any of them makes the group due")
    func groupWatchesEveryMember() async throws {
        try await PushWorld.with { world in
            let job = try await world.job()
            job.apply(.group(name: "Ada's week", members: try [PushWorld.work, PushWorld.family, PushWorld.team].map { try world.calendars[$0]!.requireID() },
                             cadence: .realtime, timeZone: "Europe/Berlin"))
            try await job.save(on: world.app.db)
            let keeper = try world.keeper("worker-1")
            await keeper.tick()
            for calendar in [PushWorld.work, PushWorld.family, PushWorld.team] {
                #expect(await world.liveChannels(calendar).count == 1, "\(calendar) is watched")
            }
            // A change in Team, the group's third member (neither its stored source nor destination).
            _ = try await world.state.addEvent(calendarID: PushWorld.team, [
                "summary": "Retro", "start": ["dateTime": .string(Date().addingTimeInterval(86_400).formatted(.iso8601))],
                "end": ["dateTime": .string(Date().addingTimeInterval(90_000).formatted(.iso8601))]])
            try await eventually(timeout: .seconds(30), "the group is due") {
                await world.app.pushCoalescer?.flush()
                return try await world.job().nextRunAt! <= Date()
            }
        }
    }

    @Test("forged notifications (wrong token, unknown channel, stopped channel) start nothing; a burst of 50 genuine ones starts one run",
          arguments: TestDatabase.all)
    func authenticationAndBurst(database: TestDatabase) async throws {
        try await PushWorld.with(on: database) { world in
            let keeper = try world.keeper("worker-1")
            await keeper.tick()
            let channel = try #require(await world.liveChannels(PushWorld.work).first)
            let token = try #require(channel.token)
            let later = Date().addingTimeInterval(3_600)
            // The channel's sync message makes the job due once (tested above); from here on it is not due.
            try await eventually(timeout: .seconds(30), "the sync message reaches the app") {
                try await PushChannel.query(on: world.app.db).filter(\.$channelID == channel.id).first()?.lastMessageAt != nil
            }
            await world.app.pushCoalescer?.flush()
            let notDue = try await world.job()
            notDue.nextRunAt = later
            notDue.pushedAt = nil  // as the run's claim would
            try await notDue.save(on: world.app.db)

            // A stopped channel whose token the forger somehow has.
            let stopped = PushChannel(calendarID: try world.calendars[PushWorld.work]!.requireID(), providerCalendarID: PushWorld.work,
                                      channelID: "old-channel", tokenDigest: SecureRandom.digest("old-token"), workerID: "w", lease: Date(), now: Date())
            stopped.status = .stopped
            stopped.resourceID = channel.resourceID
            try await stopped.create(on: world.app.db)

            for (id, forgedToken) in [(channel.id, "wrong-token"), (channel.id, nil), ("unknown-channel", token), ("old-channel", "old-token")] {
                #expect(try await world.notify(channelID: id, token: forgedToken, resourceID: channel.resourceID) == 200, "answered at once")
            }
            #expect(try await world.notify(channelID: channel.id, token: token, resourceID: "another-resource") == 200)
            await world.app.pushCoalescer?.flush()
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await world.job().nextRunAt! > later.addingTimeInterval(-60), "nothing was started")
            #expect(try await JobRun.query(on: world.app.db).count() == 0)

            // Fifty genuine notifications at once.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for number in 0..<50 { group.addTask { try await world.notify(channelID: channel.id, token: token, resourceID: channel.resourceID, number: number + 2) } }
                for try await status in group { #expect(status == 200) }
            }
            try await eventually(timeout: .seconds(30), "the job is due") { try await world.job().nextRunAt! <= Date() }
            let claimer = RunClaimer(db: world.app.db, isPostgres: world.isPostgres, workerID: "w", settings: world.app.syncboard.configuration.scheduler,
                                     nextRun: world.app.syncboard.nextRun)
            #expect(try await claimer.claim(limit: 10).count == 1)
            try await Task.sleep(for: .milliseconds(800))  // anything still debouncing lands now
            #expect(try await claimer.claim(limit: 10).isEmpty, "one run for the whole burst")
            #expect(try await JobRun.query(on: world.app.db).count() == 1)
        }
    }
}
