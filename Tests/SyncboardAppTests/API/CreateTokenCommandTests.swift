import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// `syncboard create-token`, run as the real binary against a data directory as an operator would.
@Suite("syncboard create-token")
struct CreateTokenCommandTests {
    static let keys = "test:\(Data(repeating: 7, count: 32).base64EncodedString())"

    /// A data directory whose SQLite database has one user who signed in.
    static func dataDirectoryWithUser(_ email: String) async throws -> URL {
        let directory = try TestApp.temporaryDirectory()
        let configuration = try TestApp.configuration(database: .sqlite(path: directory.appendingPathComponent("syncboard.sqlite").path),
                                                      dataDirectory: directory)
        let app = try await SyncboardApplication.make(configuration: configuration, environment: .testing)
        do {
            try await SyncboardApplication.migrate(app)
            _ = try await Fixtures.user(app.db, email: email)
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return directory
    }

    static func tokens(in directory: URL) async throws -> [PersonalAccessToken] {
        let configuration = try TestApp.configuration(database: .sqlite(path: directory.appendingPathComponent("syncboard.sqlite").path),
                                                      dataDirectory: directory)
        let app = try await SyncboardApplication.make(configuration: configuration, environment: .testing)
        let tokens = try await PersonalAccessToken.query(on: app.db).all()
        try await app.asyncShutdown()
        return tokens
    }

    @Test("prints one sbp_ token on stdout, stores only its SHA-256 digest with the scope, name and expiry asked for")
    func createsToken() async throws {
        let directory = try await Self.dataDirectoryWithUser("ops@example.org")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["SYNCBOARD_DATA_DIR": directory.path, "SYNCBOARD_ENCRYPTION_KEYS": Self.keys]
        let result = try await ChildProcess.run(
            ["create-token", "--user-email", "ops@example.org", "--scope", "read-write", "--name", "provisioning", "--expires-in-days", "30"],
            environment: environment, directory: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let secret = try #require(lines.last)
        #expect(lines.count == 1 && secret.hasPrefix("sbp_") && secret.count > 40, "\(result.stdout)")
        #expect(!result.stderr.contains(secret), "the secret is printed once, on standard output")

        let stored = try await Self.tokens(in: directory)
        let token = try #require(stored.first)
        #expect(stored.count == 1)
        #expect(token.tokenDigest == SecureRandom.digest(secret) && token.tokenDigest != secret)
        #expect(token.scope == .readWrite && token.name == "provisioning")
        let expiry = try #require(token.expiresAt).timeIntervalSinceNow
        #expect(abs(expiry - 30 * 86_400) < 3_600)
        // No file in the data directory holds the secret in plaintext.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let data = (try? Data(contentsOf: directory.appendingPathComponent(name))) ?? Data()
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(name) holds the secret")
        }
    }

    @Test("a bad scope, expiry or name, or an email nobody signed in with: exit status 1, one readable line, no token stored",
          arguments: [
              (["--user-email", "ops@example.org", "--scope", "admin"], "--scope"),
              (["--user-email", "ops@example.org", "--expires-in-days", "0"], "--expires-in-days"),
              (["--user-email", "ops@example.org", "--name", "  "], "name"),
              (["--user-email", "nobody@example.org"], "nobody@example.org"),
          ])
    func refusals(arguments: [String], mentioned: String) async throws {
        let directory = try await Self.dataDirectoryWithUser("ops@example.org")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await ChildProcess.run(["create-token"] + arguments,
                                                environment: ["SYNCBOARD_DATA_DIR": directory.path, "SYNCBOARD_ENCRYPTION_KEYS": Self.keys],
                                                directory: directory)
        #expect(result.status == 1, "\(arguments): \(result.status) \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains(mentioned) == true, "\(arguments): \(result.stderr)")
        #expect(!result.stdout.contains("sbp_"))
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        #expect(try await Self.tokens(in: directory).isEmpty)
    }
}
