import ArgumentParser
import SyncboardApp

struct CreateToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-token",
        abstract: "Create a personal access token for the JSON API for a user who has signed in, and print it.",
        discussion: """
            The token (sbp_…) is printed once on standard output; Syncboard keeps only its SHA-256 digest. \
            People create and revoke their own tokens on the API tokens page.
            """)

    @Option(name: .customLong("user-email"), help: "The email the user signs in with.") var userEmail: String
    @Option(help: "read-only or read-write.") var scope: String = "read-only"
    @Option(help: "What the token is for (shown on the API tokens page).") var name: String = "Created on the command line"
    @Option(name: .customLong("expires-in-days"), help: "Days until it expires (default: never).") var expiresInDays: Int?

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration()
            print(try await CreateTokenCommand.run(configuration, userEmail: userEmail, name: name, scope: scope, expiresInDays: expiresInDays))
        }
    }
}
