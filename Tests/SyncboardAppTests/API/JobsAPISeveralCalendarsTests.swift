import Fluent
import Foundation
import OpenAPIKit30
import SyncboardCore
import Testing
import VaporTesting
@testable import SyncboardApp

/// Jobs beyond one-to-one through the JSON API (issue 16): a copy into several destinations and a group, written,
/// read back and refused as the OpenAPI document says, and runs with their per-direction legs.
@Suite("Jobs API: several destinations and groups, runs with legs")
struct JobsAPISeveralCalendarsTests {
    struct World {
        let base: JobsTests.World
        /// Two more writable calendars of the user's (work and home are the first two).
        let garden: LinkedCalendar
        let club: LinkedCalendar
        let script: BearerClient

        func id(_ calendar: LinkedCalendar) throws -> String { try calendar.requireID().uuidString }
    }

    static func withWorld(on database: TestDatabase = .sqlite, engine: AppConfiguration.EngineChoice = .auto,
                          _ body: (Application, World) async throws -> Void) async throws {
        try await TestApp.withApp(on: database) { app in
            app.syncboard.configuration.engine = engine
            let base = try await JobsTests.world(app)
            let account = try await Fixtures.account(app.db, user: base.user, email: "me@more.example")
            let world = World(base: base, garden: try await Fixtures.calendar(app.db, account: account),
                              club: try await Fixtures.calendar(app.db, account: account),
                              script: try await BearerClient.issue(for: base.user, scope: .readWrite, on: app))
            try await body(app, world)
        }
    }

    static func group(_ world: World, members: [LinkedCalendar], extra: String = "") throws -> String {
        """
        {"name": "Family", "kind": "group", "memberCalendarIds": [\(try members.map { "\"\(try world.id($0))\"" }.joined(separator: ", "))],
         "cadence": {"kind": "hourly"}\(extra)}
        """
    }

    static func copy(_ world: World, more: [String]) throws -> String {
        try JobsTests.body(world.base, extra: #", "moreDestinationCalendarIds": [\#(more.map { "\"\($0)\"" }.joined(separator: ", "))]"#)
    }

    /// The fields of a 422, after checking it is one.
    static func refusedFields(_ response: TestingHTTPResponse) throws -> [String] {
        #expect(response.status == .unprocessableEntity, "\(response.body.string)")
        return try response.content.decode(SyncboardErrorMiddleware.APIError.self).fields?.map(\.field) ?? []
    }

    /// The answer's JSON object has every property its schema requires and none it does not describe.
    static func expectMatches(_ response: TestingHTTPResponse, schema name: String, at path: [Any] = []) throws {
        var value: Any = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        for step in path { value = step is Int ? (value as! [Any])[step as! Int] : (value as! [String: Any])[step as! String]! }
        let object = try #require(value as? [String: Any])
        let schema = try #require(OpenAPIDocument.schemas[name]?.objectContext, "\(name) is an object schema")
        let properties = Set(schema.properties.keys)
        let required = Set(schema.requiredProperties)
        #expect(required.isSubset(of: Set(object.keys)), "\(name) lacks \(required.subtracting(object.keys))")
        #expect(Set(object.keys).isSubset(of: properties), "\(name) has undocumented \(Set(object.keys).subtracting(properties))")
    }

    @Test("a group of three and a copy job into three calendars are saved, read back in order, and can be sent back as read", arguments: TestDatabase.all)
    func createAndReadBack(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { app, world in
            let (work, home) = (world.base.work, world.base.home)
            let created = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.group(world, members: [home, world.garden, work]))
            #expect(created.status == .created, "\(created.body.string)")
            try Self.expectMatches(created, schema: "Job")
            let group = try created.content.decode(JobsAPIController.JobDTO.self)
            #expect(group.kind == .group)
            #expect(group.memberCalendarIds == [try home.requireID(), try world.garden.requireID(), try work.requireID()])
            #expect(group.sourceCalendarId == nil && group.destinationCalendarId == nil && group.moreDestinationCalendarIds.isEmpty)
            #expect(group.engineNote?.contains("kind") == true)
            #expect(group.timeZone == "Europe/Berlin")  // the first member's
            #expect(try await SyncJob.find(group.id, on: app.db)?.spec.legs.count == 6)

            let copied = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.copy(world, more: [try world.id(world.club), try world.id(world.garden)]))
            #expect(copied.status == .created, "\(copied.body.string)")
            let copy = try copied.content.decode(JobsAPIController.JobDTO.self)
            #expect(copy.kind == .copy && copy.memberCalendarIds.isEmpty)
            #expect(try copy.sourceCalendarId == work.requireID() && copy.destinationCalendarId == home.requireID())
            #expect(copy.moreDestinationCalendarIds == [try world.club.requireID(), try world.garden.requireID()])
            #expect(copy.engineNote?.contains("moreDestinationCalendarIds") == true)
            let stored = try #require(try await SyncJob.find(copy.id, on: app.db)).spec
            #expect(stored.legs.map(\.destination) == [try home.requireID(), try world.club.requireID(), try world.garden.requireID()])

            for job in [group, copy] {
                let read = try await world.script.send(.GET, "/api/v1/jobs/\(job.id)")
                try Self.expectMatches(read, schema: "Job")
                let readJob = try read.content.decode(JobsAPIController.JobDTO.self)
                #expect((readJob.kind, readJob.memberCalendarIds, readJob.moreDestinationCalendarIds) == (job.kind, job.memberCalendarIds, job.moreDestinationCalendarIds))
                // What a GET answers is a valid PUT body: the other kind's fields come back null or empty.
                let sentBack = try await world.script.send(.PUT, "/api/v1/jobs/\(job.id)", json: read.body.string,
                                                           headers: ["If-Match": try #require(read.headers.first(name: .eTag))])
                #expect(sentBack.status == .ok, "\(sentBack.body.string)")
                #expect(try sentBack.content.decode(JobsAPIController.JobDTO.self).memberCalendarIds == job.memberCalendarIds)
            }
            let listed = try await world.script.send(.GET, "/api/v1/jobs").content.decode(ListPage<JobsAPIController.JobDTO>.self)
            #expect(Set(listed.items.map(\.kind)) == [.copy, .group])
        }
    }

    @Test("a group of one calendar, or one that also names a source, is a 422 naming the field; nothing is stored")
    func groupRefusals() async throws {
        try await Self.withWorld { app, world in
            #expect(try Self.refusedFields(try await world.script.send(.POST, "/api/v1/jobs", json: try Self.group(world, members: [world.base.work])))
                == ["memberCalendarIds"])
            #expect(try Self.refusedFields(try await world.script.send(.POST, "/api/v1/jobs", json: #"{"name": "Empty", "kind": "group", "cadence": {"kind": "hourly"}}"#))
                == ["memberCalendarIds"])
            // The same calendar twice, and a calendar only readable, are named too.
            let twice = try Self.group(world, members: [world.base.work, world.base.home, world.base.work])
            #expect(try Self.refusedFields(try await world.script.send(.POST, "/api/v1/jobs", json: twice)) == ["memberCalendarIds"])
            let readOnly = try Self.group(world, members: [world.base.work, world.base.readOnly])
            #expect(try Self.refusedFields(try await world.script.send(.POST, "/api/v1/jobs", json: readOnly)) == ["memberCalendarIds"])

            // A group's calendars are its members only; a copy job has no members.
            let withSource = try Self.group(world, members: [world.base.work, world.base.home],
                                            extra: #", "sourceCalendarId": "\#(try world.id(world.garden))", "moreDestinationCalendarIds": ["\#(try world.id(world.club))"]"#)
            #expect(Set(try Self.refusedFields(try await world.script.send(.POST, "/api/v1/jobs", json: withSource)))
                == ["sourceCalendarId", "moreDestinationCalendarIds"])
            let copyWithMembers = try JobsTests.body(world.base, extra: #", "memberCalendarIds": ["\#(try world.id(world.garden))", "\#(try world.id(world.club))"]"#)
            #expect(try Self.refusedFields(try await world.script.send(.POST, "/api/v1/jobs", json: copyWithMembers)) == ["memberCalendarIds"])
            // A kind that does not exist, or null, is unreadable: 400.
            for kind in [#""ring""#, "null"] {
                let unknown = try Self.group(world, members: [world.base.work, world.base.home]).replacingOccurrences(of: #""group""#, with: kind)
                #expect(try await world.script.send(.POST, "/api/v1/jobs", json: unknown).status == .badRequest, "\(kind)")
            }
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("a destination that is not one of the user's calendars, or is the source again, is a 422 naming moreDestinationCalendarIds; nothing is stored")
    func moreDestinationsRefusals() async throws {
        try await Self.withWorld { app, world in
            let stranger = try await Fixtures.user(app.db, email: "stranger@example.com")
            let theirs = try await Fixtures.calendar(app.db, account: try await Fixtures.account(app.db, user: stranger))
            for more in [[try world.id(theirs)], [UUID().uuidString], [try world.id(world.garden), try world.id(world.base.work)],
                         [try world.id(world.base.readOnly)]] {
                let response = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.copy(world, more: more))
                #expect(try Self.refusedFields(response) == ["moreDestinationCalendarIds"], "\(more)")
            }
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("with SYNCBOARD_ENGINE=calendarsync a group and a copy into several calendars are refused with 422 by their field; one-to-one is saved")
    func calendarSyncRefuses() async throws {
        try await Self.withWorld(engine: .calendarsync) { app, world in
            let group = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.group(world, members: [world.base.work, world.base.home]))
            #expect(try Self.refusedFields(group) == ["kind"])
            #expect(try group.content.decode(SyncboardErrorMiddleware.APIError.self).fields?.first?.message.contains("built-in engine") == true)
            let several = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.copy(world, more: [try world.id(world.garden)]))
            #expect(try Self.refusedFields(several) == ["moreDestinationCalendarIds"])
            #expect(try await SyncJob.query(on: app.db).count() == 0)
            let single = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.copy(world, more: []))
            #expect(single.status == .created, "\(single.body.string)")
            #expect(try single.content.decode(JobsAPIController.JobDTO.self).engineNote == nil)
        }
    }

    @Test("a run of several directions is answered with each leg; a one-to-one run with none", arguments: TestDatabase.all)
    func runLegs(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { app, world in
            let job = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.copy(world, more: [try world.id(world.garden)]))
                .content.decode(JobsAPIController.JobDTO.self)
            let (work, home, garden) = (try world.base.work.requireID(), try world.base.home.requireID(), try world.garden.requireID())
            let legs = [RunLeg(sourceCalendarID: work, destinationCalendarID: home, source: "Work", destination: "Home", status: .succeeded,
                               created: 3, updated: 1, deleted: 0, error: nil, syncKind: .full),
                        RunLeg(sourceCalendarID: work, destinationCalendarID: garden, source: "Work", destination: "Garden", status: .failed,
                               created: 0, updated: 0, deleted: 0, error: "Google refused the write", syncKind: nil)]
            let at = Date(timeIntervalSince1970: 1_764_000_000)
            let withLegs = JobRun(jobID: job.id, trigger: .manual, mode: .sync, status: .failed, scheduledFor: at, queuedAt: at)
            withLegs.storedLegs = .init(legs: legs)
            try await withLegs.create(on: app.db)
            let plain = JobRun(jobID: job.id, trigger: .manual, mode: .sync, status: .succeeded, scheduledFor: at, queuedAt: at.addingTimeInterval(60))
            try await plain.create(on: app.db)

            let read = try await world.script.send(.GET, "/api/v1/runs/\(try withLegs.requireID())")
            try Self.expectMatches(read, schema: "Run")
            try Self.expectMatches(read, schema: "RunLeg", at: ["legs", 1])
            let run = try read.content.decode(JobsAPIController.RunDTO.self)
            #expect(run.legs.map(\.destinationCalendarId) == [home, garden])
            #expect(run.legs.map(\.status) == [.succeeded, .failed])
            #expect(run.legs[0].created == 3 && run.legs[0].updated == 1 && run.legs[0].syncKind == .full && run.legs[0].source == "Work")
            #expect(run.legs[1].error == "Google refused the write" && run.legs[1].destination == "Garden")

            for path in ["/api/v1/runs", "/api/v1/jobs/\(job.id)/runs"] {
                let page = try await world.script.send(.GET, path).content.decode(ListPage<JobsAPIController.RunDTO>.self)
                #expect(page.items.map(\.legs.count) == [0, 2], "\(path)")
            }
        }
    }

    @Test("old-style bodies with only a source and a destination still make a one-to-one copy job, also over a group")
    func oldStyleBodies() async throws {
        try await Self.withWorld { app, world in
            let created = try await world.script.send(.POST, "/api/v1/jobs", json: try JobsTests.body(world.base))
            #expect(created.status == .created, "\(created.body.string)")
            let job = try created.content.decode(JobsAPIController.JobDTO.self)
            #expect(job.kind == .copy && job.moreDestinationCalendarIds.isEmpty && job.memberCalendarIds.isEmpty && job.engineNote == nil)
            #expect(try job.sourceCalendarId == world.base.work.requireID() && job.destinationCalendarId == world.base.home.requireID())

            // PUT replaces the configuration: a group sent an old-style body becomes that copy job.
            let group = try await world.script.send(.POST, "/api/v1/jobs", json: try Self.group(world, members: [world.garden, world.club]))
                .content.decode(JobsAPIController.JobDTO.self)
            let replaced = try await world.script.send(.PUT, "/api/v1/jobs/\(group.id)", json: try JobsTests.body(world.base, name: "Now a copy"))
            #expect(replaced.status == .ok, "\(replaced.body.string)")
            let stored = try #require(try await SyncJob.find(group.id, on: app.db)).spec
            #expect(try stored.kind == .copy && stored.moreCalendarIDs.isEmpty && stored.destinationCalendarID == world.base.home.requireID())
        }
    }
}
