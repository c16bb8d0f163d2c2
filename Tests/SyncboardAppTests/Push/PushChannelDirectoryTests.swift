import Fluent
import Foundation
import Testing
@testable import SyncboardApp

@Suite("The notification endpoint's channel directory")
struct PushChannelDirectoryTests {
    @Test("one read answers for every live channel: a wave's notifications do not each queue a query; stopped and unknown channels are looked up alone",
          arguments: TestDatabase.all)
    func liveChannelsReadAtOnce(_ database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user)
            var channels: [PushChannel] = []
            for index in 0..<30 {
                let calendar = try await Fixtures.calendar(app.db, account: account, googleID: "calendar-\(index)")
                let channel = PushChannel(calendarID: try calendar.requireID(), providerCalendarID: calendar.providerCalendarID,
                                          channelID: "channel-\(index)", tokenDigest: "digest-\(index)", workerID: "w", lease: Date(), now: Date())
                channel.status = index == 29 ? .stopped : .active
                channel.resourceID = "resource-\(index)"
                try await channel.create(on: app.db)
                channels.append(channel)
            }
            let directory = PushChannelDirectory(db: app.db, freshFor: .seconds(600))
            let first = try #require(try await directory.channel("channel-0"))
            #expect(first.tokenDigest == "digest-0" && first.live)

            // Gone from the database now: the other live channels are still known from the one read.
            try await PushChannel.query(on: app.db).filter(\.$channelID != "channel-29").delete()
            for index in 1..<29 {
                let entry = try #require(try await directory.channel("channel-\(index)"), "channel-\(index) from the first read")
                #expect(entry.tokenDigest == "digest-\(index)" && entry.live && entry.calendarID == channels[index].$calendar.id
                        && entry.resourceID == "resource-\(index)")
            }
            // Not live, so not in that read: looked up alone, and known as stopped.
            let stopped = try #require(try await directory.channel("channel-29"))
            #expect(!stopped.live)
            #expect(try await directory.channel("forged") == nil)
        }
    }

    @Test("the read is repeated once it is older than freshFor: a channel opened since is found, one deleted is not")
    func readAgainWhenStale() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user)
            func open(_ id: String, resourceID: String? = nil) async throws {
                let calendar = try await Fixtures.calendar(app.db, account: account, googleID: "calendar-\(id)")
                let channel = PushChannel(calendarID: try calendar.requireID(), providerCalendarID: calendar.providerCalendarID,
                                          channelID: id, tokenDigest: "digest-\(id)", workerID: "w", lease: Date(), now: Date())
                channel.status = .active
                channel.resourceID = resourceID ?? "resource-\(id)"
                try await channel.create(on: app.db)
            }
            try await open("a")
            let directory = PushChannelDirectory(db: app.db, freshFor: .milliseconds(200))
            #expect(try await directory.channel("a")?.live == true)
            try await open("b")
            try await PushChannel.query(on: app.db).filter(\.$channelID == "a").delete()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await directory.channel("b")?.live == true)
            #expect(try await directory.channel("a") == nil)
        }
    }

    @Test("a channel still opening (no resource id stored yet) is not kept: once its id is stored, a notification is judged by it")
    func openingNotKept() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user)
            let calendar = try await Fixtures.calendar(app.db, account: account, googleID: "calendar")
            let channel = PushChannel(calendarID: try calendar.requireID(), providerCalendarID: calendar.providerCalendarID,
                                      channelID: "opening", tokenDigest: "digest", workerID: "w", lease: Date(), now: Date())
            try await channel.create(on: app.db)
            let directory = PushChannelDirectory(db: app.db, freshFor: .seconds(600))
            let opening = try #require(try await directory.channel("opening"))
            #expect(opening.live && opening.resourceID == nil)
            channel.status = .active
            channel.resourceID = "resource"
            try await channel.save(on: app.db)
            #expect(try await directory.channel("opening")?.resourceID == "resource")
        }
    }
}
