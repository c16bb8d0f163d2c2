import Foundation
import SyncboardCore
import Testing
import Yams
@testable import SyncEngines

@Suite("CalendarSync sync.yaml generation")
struct CalendarSyncConfigTests {
    static let everything = SyncJobSpec(
        name: "All of it", sourceCalendarID: UUID(), destinationCalendarID: UUID(),
        transformers: [
            ConfiguredStep(name: "ReplaceTitle", parameters: ["NewTitle": .string("Busy")]),
            ConfiguredStep(name: "PrefixTitle", parameters: ["Prefix": .string("123")]),
            ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "KeepMeetingLink"), ConfiguredStep(name: "KeepDescription"),
            ConfiguredStep(name: "KeepReminders"), ConfiguredStep(name: "KeepLocation"),
            ConfiguredStep(name: "KeepAttendees", parameters: ["UseEmailAsDisplayName": .bool(true)]),
        ],
        filters: [
            ConfiguredStep(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("^(Lunch|true)$")]),
            ConfiguredStep(name: "AllDayEvents"), ConfiguredStep(name: "DeclinedEvents"),
            ConfiguredStep(name: "TimeFilter", parameters: ["HourStart": .int(12), "HourEnd": .int(13)]),
            ConfiguredStep(name: "TimeFrame", parameters: ["HourStart": .int(8), "HourEnd": .int(17)]),
        ],
        window: SyncWindow(start: .init(.monthStart, offset: -1), end: .init(.monthEnd, offset: 2)),
        cadence: .hourly, timeZone: "Europe/Berlin", updateConcurrency: 3)

    static func config() -> CalendarSyncConfig {
        CalendarSyncConfig(spec: everything, sourceCalendarID: "work@example.com", destinationCalendarID: "family#holidays@group.calendar.google.com",
                           clientID: "client.apps.googleusercontent.com", clientSecret: "s3cret", authStoragePath: "/run/x/auth-storage.yaml")
    }

    /// The node at a path of keys, failing the test if absent.
    static func node(_ root: Node, _ path: String...) throws -> Node {
        var current = root
        for key in path { current = try #require(current[key], "missing key \(path)") }
        return current
    }

    static func tag(_ node: Node) -> String { node.tag.description }

    @Test("keys, nesting and YAML types follow the contract for a job with every transformer and filter")
    func contract() throws {
        let yaml = try Self.config().yaml()
        let root = try #require(try Yams.compose(yaml: yaml))
        #expect(Set(root.mapping!.keys.compactMap(\.string)) == ["sync", "auth", "source", "sink", "transformations", "filters", "updateConcurrency"])
        #expect(try Self.node(root, "sync", "start", "identifier").string == "MonthStart")
        #expect(Self.tag(try Self.node(root, "sync", "start", "offset")) == "tag:yaml.org,2002:int")
        #expect(try Self.node(root, "sync", "start", "offset").int == -1)
        #expect(try Self.node(root, "sync", "end", "offset").int == 2)
        #expect(try Self.node(root, "auth", "storage_mode").string == "yaml")
        #expect(try Self.node(root, "auth", "config", "path").string == "/run/x/auth-storage.yaml")
        #expect(try Self.node(root, "source", "adapter", "type").string == "google")
        #expect(try Self.node(root, "source", "adapter", "calendar").string == "work@example.com")
        #expect(try Self.node(root, "sink", "adapter", "calendar").string == "family#holidays@group.calendar.google.com")
        #expect(try Self.node(root, "sink", "adapter", "oAuth", "clientId").string == "client.apps.googleusercontent.com")
        #expect(try Self.node(root, "sink", "adapter", "oAuth", "clientKey").string == "s3cret")
        #expect(Self.tag(try Self.node(root, "updateConcurrency")) == "tag:yaml.org,2002:int")

        let transformations = try #require(try Self.node(root, "transformations").sequence)
        #expect(transformations.map { $0["name"]?.string } == ["KeepAttendees", "KeepLocation", "KeepReminders", "KeepDescription",
                                                                "KeepMeetingLink", "KeepTitle", "PrefixTitle", "ReplaceTitle"])
        let attendees = try #require(transformations[0]["config"]?["UseEmailAsDisplayName"])
        #expect(Self.tag(attendees) == "tag:yaml.org,2002:bool" && attendees.bool == true)
        let prefix = try #require(transformations[6]["config"]?["Prefix"])
        #expect(Self.tag(prefix) == "tag:yaml.org,2002:str" && prefix.string == "123", "a numeric-looking string stays a string")
        #expect(transformations[5]["config"] == nil, "parameterless steps have no config")

        let filters = try #require(try Self.node(root, "filters").sequence)
        #expect(filters.map { $0["name"]?.string } == ["TimeFrame", "TimeFilter", "DeclinedEvents", "AllDayEvents", "RegexTitle"])
        for key in ["HourStart", "HourEnd"] {
            #expect(Self.tag(try #require(filters[0]["config"]?[key])) == "tag:yaml.org,2002:int")
        }
        #expect(filters[0]["config"]?["HourEnd"]?.int == 17)
        let regex = try #require(filters[4]["config"]?["ExcludeRegexp"])
        #expect(Self.tag(regex) == "tag:yaml.org,2002:str" && regex.string == "^(Lunch|true)$")
    }

    @Test("the redacted form hides the client secret and nothing else")
    func redacted() throws {
        let yaml = try Self.config().redacted().yaml()
        #expect(!yaml.contains("s3cret"))
        #expect(yaml.contains("client.apps.googleusercontent.com"))
        #expect(try Self.config().redacted() != Self.config())
    }
}
