import Foundation
import Testing
@testable import SyncboardApp

@Suite("Configuration from the environment")
struct ConfigurationTests {
    private func load(_ env: [String: String]) throws(ConfigurationError) -> AppConfiguration {
        try AppConfiguration.load(from: EnvironmentReader(environment: env))
    }

    private func error(_ env: [String: String]) -> ConfigurationError? {
        do {
            _ = try load(env)
            return nil
        } catch {
            return error
        }
    }

    static let validKey = Data(repeating: 1, count: 32).base64EncodedString()

    @Test("a fresh machine needs no configuration: SQLite under ./data, 127.0.0.1:8080")
    func defaults() throws {
        let config = try load([:])
        #expect(config.hostname == "127.0.0.1")
        #expect(config.port == 8080)
        #expect(config.baseURL.absoluteString == "http://127.0.0.1:8080")
        #expect(config.dataDirectory.lastPathComponent == "data")
        guard case .sqlite(let path) = config.database else {
            Issue.record("expected SQLite, got \(config.database.summary)")
            return
        }
        #expect(path.hasSuffix("/data/syncboard.sqlite"))
        #expect(config.encryptionKeys == nil)
        #expect(config.autoMigrate)
        #expect(config.engine == .auto)
        #expect(!config.google.isConfigured)
        #expect(config.google.tokenURL.absoluteString == "https://oauth2.googleapis.com/token")
    }

    @Test("PORT sets the port; the base URL follows the listening address unless SYNCBOARD_BASE_URL is set")
    func portAndBaseURL() throws {
        #expect(try load(["PORT": "9090"]).baseURL.absoluteString == "http://127.0.0.1:9090")
        #expect(try load(["PORT": "1"]).port == 1)
        #expect(try load(["PORT": "65535"]).port == 65535)
        let behindProxy = try load(["SYNCBOARD_BASE_URL": "https://sync.example.org"])
        #expect(behindProxy.baseURL.absoluteString == "https://sync.example.org")
    }

    @Test("a non-numeric or out-of-range PORT is refused", arguments: ["abc", "0", "65536", "-1", "80a"])
    func badPort(value: String) {
        #expect(error(["PORT": value]) == ConfigurationError(variable: "PORT", expected: "expected a port number from 1 to 65535"))
    }

    @Test("a malformed DATABASE_URL is refused without echoing it", arguments: [
        "mysql://user:hunter2@db/app",
        "postgres://:hunter2@db/app",
        "postgres://user:hunter2@/app",
        "postgres://user:hunter2@db",
        "postgres://user:hunter2@db:99999/app",
        "postgres://user:hunter2@db/app?sslmode=sometimes",
        "not a url hunter2",
    ])
    func badDatabaseURL(value: String) throws {
        let failure = try #require(error(["DATABASE_URL": value, "SYNCBOARD_ENCRYPTION_KEYS": "k:\(Self.validKey)"]))
        #expect(failure.variable == "DATABASE_URL")
        #expect(!failure.description.contains("hunter2"))
        #expect(failure.description.contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE"))
    }

    @Test("a valid DATABASE_URL selects PostgreSQL and its summary hides the password")
    func postgresURL() throws {
        let config = try load(["DATABASE_URL": "postgresql://sync:hunter2@db.internal:6543/syncboard?sslmode=disable",
                               "SYNCBOARD_ENCRYPTION_KEYS": "k:\(Self.validKey)"])
        #expect(config.database.isPostgres)
        #expect(config.database.summary == "PostgreSQL at postgresql://sync@db.internal:6543/syncboard")
        #expect(!config.autoMigrate, "PostgreSQL is migrated by `syncboard migrate`, not by every process")
    }

    @Test("PostgreSQL requires a configured encryption key")
    func postgresNeedsKey() throws {
        let failure = try #require(error(["DATABASE_URL": "postgres://u:p@db/app"]))
        #expect(failure.variable == "SYNCBOARD_ENCRYPTION_KEYS")
        #expect(failure.expected.contains("required with PostgreSQL"))
    }

    @Test("encryption keys: wrong length, bad base64, bad id, duplicate id are refused without echoing the key")
    func badKeys() throws {
        let short = Data(repeating: 9, count: 16).base64EncodedString()
        let cases: [(String, String)] = [
            ("k1:\(short)", "is 16 bytes long; expected 32 bytes"),
            ("k1:not*base64", "is not valid base64"),
            ("k1", "is not ID:KEY"),
            ("bad id:\(Self.validKey)", "is not ID:KEY"),
            ("a:\(Self.validKey),a:\(Self.validKey)", "appears twice"),
            (",", "expected a comma-separated list"),
        ]
        for (value, expected) in cases {
            let failure = try #require(error(["SYNCBOARD_ENCRYPTION_KEYS": value]), "accepted \(value)")
            #expect(failure.variable == "SYNCBOARD_ENCRYPTION_KEYS")
            #expect(failure.expected.contains(expected), "\(failure) should say \(expected)")
            #expect(!failure.description.contains(short) && !failure.description.contains(Self.validKey))
        }
    }

    @Test("several keys: the last one encrypts new writes, all are kept for reading")
    func keyring() throws {
        let other = Data(repeating: 2, count: 32).base64EncodedString()
        let keys = try #require(try load(["SYNCBOARD_ENCRYPTION_KEYS": "old:\(Self.validKey), new:\(other)"]).encryptionKeys)
        #expect(keys.keys.map(\.id) == ["old", "new"])
        #expect(keys.current.id == "new")
        #expect(keys.key(id: "old") != nil)
    }

    @Test("the Google client id and secret come together")
    func googleClientPair() {
        #expect(error(["GOOGLE_CLIENT_ID": "abc.apps.googleusercontent.com"])?.variable == "GOOGLE_CLIENT_SECRET")
        #expect(error(["GOOGLE_CLIENT_SECRET": "s3cret-value"])?.variable == "GOOGLE_CLIENT_ID")
        #expect(error(["GOOGLE_CLIENT_SECRET": "s3cret-value"])?.description.contains("s3cret-value") == false)
    }

    @Test("Google endpoints can be pointed at the emulator; a bad URL is refused")
    func googleEndpoints() throws {
        let config = try load(["SYNCBOARD_GOOGLE_TOKEN_URL": "http://127.0.0.1:9999/token"])
        #expect(config.google.tokenURL.absoluteString == "http://127.0.0.1:9999/token")
        #expect(error(["SYNCBOARD_GOOGLE_CALENDAR_API_URL": "ftp://nope"])?.variable == "SYNCBOARD_GOOGLE_CALENDAR_API_URL")
        #expect(error(["SYNCBOARD_BASE_URL": "localhost:8080"])?.variable == "SYNCBOARD_BASE_URL")
    }

    @Test("enumerations and switches name their choices", arguments: [
        ("SYNCBOARD_ENGINE", "fast", "expected one of: auto, calendarsync, builtin, noop"),
        ("SYNCBOARD_LOG_FORMAT", "xml", "expected one of: auto, json, text"),
        ("SYNCBOARD_LOG_LEVEL", "loud", "expected one of: trace, debug, info, notice, warning, error, critical"),
        ("SYNCBOARD_AUTO_MIGRATE", "maybe", "expected true or false"),
        ("SYNCBOARD_SCHEDULER", "2", "expected true or false"),
    ])
    func badChoices(variable: String, value: String, expected: String) {
        #expect(error([variable: value]) == ConfigurationError(variable: variable, expected: expected))
    }

    @Test(".env.example documents every variable the app reads")
    func envExampleIsComplete() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        let sources = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("Sources/SyncboardApp").path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: root.appendingPathComponent("Sources/SyncboardApp").appendingPathComponent($0), encoding: .utf8) }
            .joined()
        let pattern = try Regex(#"env\.string\("([A-Z_]+)"\)"#)
        var read = Set(sources.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
        read.formUnion(GoogleSettings.defaults.map(\.variable))
        read.insert(EncryptionKeyring.variable)
        #expect(read.count > 10)
        for variable in read.sorted() {
            #expect(example.contains("\(variable)="), "\(variable) is missing from .env.example")
        }
    }
}
