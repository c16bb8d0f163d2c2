import Foundation
import SyncboardCore
import Yams

/// CalendarSync's `sync.yaml`, as a Codable model written with Yams (never by string concatenation). Keys,
/// nesting and YAML types follow ../shared/reference/calendarsync-contract.md: CalendarSync assigns values by
/// reflection, so an int must be a YAML int and a bool a YAML bool.
public struct CalendarSyncConfig: Codable, Sendable, Equatable {
    public struct Sync: Codable, Sendable, Equatable {
        public var start: Bound
        public var end: Bound
    }

    public struct Bound: Codable, Sendable, Equatable {
        public var identifier: String
        public var offset: Int
    }

    public struct Auth: Codable, Sendable, Equatable {
        public struct StorageConfig: Codable, Sendable, Equatable { public var path: String }
        public var storageMode: String
        public var config: StorageConfig

        enum CodingKeys: String, CodingKey {
            case storageMode = "storage_mode"
            case config
        }
    }

    public struct Endpoint: Codable, Sendable, Equatable {
        public struct Adapter: Codable, Sendable, Equatable {
            public struct OAuth: Codable, Sendable, Equatable {
                public var clientId: String
                public var clientKey: String
            }

            /// CalendarSync's adapter names. Syncboard gives the CLI Google calendars only: its `outlook_http`
            /// adapter lists the whole window every run, has no PKCE, and reads a refused first page as an empty
            /// calendar (which deletes every copy); Microsoft 365 and feed calendars run on the built-in engine.
            public enum Kind: String, Codable, Sendable, Equatable {
                case google
            }

            public var type: Kind
            public var calendar: String
            public var oAuth: OAuth
        }

        public var adapter: Adapter
    }

    public struct Step: Codable, Sendable, Equatable {
        public var name: String
        public var config: [String: ParameterValue]?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            // Parameters in a stable (sorted) order, so the same job always yields the same file.
            if let config, !config.isEmpty {
                var nested = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .config)
                for key in config.keys.sorted() { try nested.encode(config[key], forKey: DynamicKey(key)) }
            }
        }

        enum CodingKeys: String, CodingKey { case name, config }
    }

    public var sync: Sync
    public var auth: Auth
    public var source: Endpoint
    public var sink: Endpoint
    public var transformations: [Step]
    public var filters: [Step]
    public var updateConcurrency: Int

    /// The configuration for a job: both calendars through Google with this OAuth client, the auth storage at
    /// `authStoragePath`, transformers and filters in CalendarSync's order.
    public init(spec: SyncJobSpec, sourceCalendarID: String, destinationCalendarID: String,
                clientID: String, clientSecret: String, authStoragePath: String, catalog: SyncCatalog = .pinned) {
        func bound(_ bound: SyncWindow.Bound) -> Bound { Bound(identifier: bound.identifier.rawValue, offset: bound.offset) }
        func endpoint(_ calendar: String) -> Endpoint {
            Endpoint(adapter: .init(type: .google, calendar: calendar, oAuth: .init(clientId: clientID, clientKey: clientSecret)))
        }
        func steps(_ configured: [ConfiguredStep], kind: SyncCatalog.Kind) -> [Step] {
            // CalendarSync does not know the built-in engine's rules ("Show config" says which were left out).
            configured.filter { catalog.entry(kind, named: $0.name)?.builtinOnly != true }
                .sorted { (catalog.entry(kind, named: $0.name)?.order ?? .max) < (catalog.entry(kind, named: $1.name)?.order ?? .max) }
                .map { Step(name: $0.name, config: $0.parameters.isEmpty ? nil : $0.parameters) }
        }
        sync = Sync(start: bound(spec.window.start), end: bound(spec.window.end))
        auth = Auth(storageMode: "yaml", config: .init(path: authStoragePath))
        source = endpoint(sourceCalendarID)
        sink = endpoint(destinationCalendarID)
        transformations = steps(spec.transformers, kind: .transformer)
        filters = steps(spec.filters, kind: .filter)
        updateConcurrency = spec.updateConcurrency
    }

    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    /// The same configuration with the OAuth client secret replaced, for showing and exporting.
    public func redacted(placeholder: String = "REDACTED (set your OAuth client secret)") -> CalendarSyncConfig {
        var copy = self
        copy.source.adapter.oAuth.clientKey = placeholder
        copy.sink.adapter.oAuth.clientKey = placeholder
        return copy
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
