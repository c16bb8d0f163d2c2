import Fluent
import Foundation
import Vapor

/// `syncboard create-token`: issues a personal access token for an existing user from the command line (for
/// operators and for provisioning scripts); the secret is printed once, on standard output.
public enum CreateTokenCommand {
    public static func run(_ configuration: AppConfiguration, userEmail: String, name: String, scope: String, expiresInDays: Int?) async throws -> String {
        guard let scope = PersonalAccessToken.Scope(rawValue: scope.replacingOccurrences(of: "-", with: "_")) else {
            throw ConfigurationError(variable: "--scope", expected: "expected read-only or read-write")
        }
        if let expiresInDays, !(1...3650).contains(expiresInDays) {
            throw ConfigurationError(variable: "--expires-in-days", expected: "expected a whole number from 1 to 3650")
        }
        let app = try await SyncboardApplication.make(configuration: configuration,
                                                      environment: Environment(name: "production", arguments: ["syncboard"]))
        do {
            try await ProcessRunner.prepareDatabase(app)
            guard let user = try await User.query(on: app.db).filter(\.$email == userEmail).first() else {
                throw Abort(.notFound, reason: "no user with the email \(userEmail) has signed in to this Syncboard")
            }
            let issued = try await PersonalAccessTokens(db: app.db).issue(
                userID: try user.requireID(), name: name, scope: scope,
                expiresAt: expiresInDays.map { Date().addingTimeInterval(TimeInterval($0) * 86_400) })
            try await app.asyncShutdown()
            return issued.secret
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
