import Fluent
import Foundation
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// How a Microsoft account's refresh fails, through the seam (issue 28 §2): consent needed again disconnects the
/// account as invalid_grant does; a failure that may pass (the network, Microsoft busy) changes nothing; a server
/// without Microsoft set up says so instead of asking Google.
@Suite("Microsoft refresh failures")
struct MicrosoftRefreshFailureTests {
    static func auth(refresh: @escaping @Sendable (String) async throws -> GoogleAuthService.TokenGrant) -> MicrosoftAuthService {
        MicrosoftAuthService(
            authorizationURL: { _ in URL(string: "https://unimplemented.invalid/")! },
            exchangeCode: { _, _, _ in throw UnimplementedSeam.fail("MicrosoftAuthService.exchangeCode") },
            verifyIDToken: { _, _ in throw UnimplementedSeam.fail("MicrosoftAuthService.verifyIDToken") },
            refresh: refresh)
    }

    static func withAccount(_ body: (Application, LinkedAccount) async throws -> Void) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let account = LinkedAccount(userID: try user.requireID(), provider: .microsoft, subject: "ms-subject", email: "ada@contoso.example",
                                        displayName: nil, grantedScopes: "offline_access Calendars.ReadWrite")
            try await account.create(on: app.db)
            account.refreshTokenCiphertext = try app.syncboard.vault.seal("M.R3-old", context: account.vaultContext("refresh_token"))
            try await account.save(on: app.db)
            try await body(app, account)
        }
    }

    @Test("consent needed again (AADSTS65001) turns the account to reconnect, naming Microsoft 365 and the reason")
    func consentRequired() async throws {
        try await Self.withAccount { app, account in
            let tokens = AccessTokenProvider(db: app.db, vault: app.syncboard.vault, google: .unimplemented, microsoft: Self.auth { _ in
                throw MicrosoftAuthFailure.grantRefused("Microsoft needs the account to consent again (AADSTS65001)")
            })
            do {
                _ = try await tokens.tokens(for: account, forceRefresh: true)
                Issue.record("the refresh succeeded")
            } catch AccessTokenProvider.Failure.needsReconnect(let id, let email, let provider) {
                #expect(id == account.id && email == "ada@contoso.example" && provider == .microsoft)
            }
            let stored = try #require(try await LinkedAccount.find(account.id, on: app.db))
            #expect(stored.status == .needsReauth)
            #expect(stored.lastError?.contains("Microsoft 365 refused the refresh token") == true && stored.lastError?.contains("AADSTS65001") == true)
        }
    }

    @Test("a failure that may pass (the network) leaves the account connected and its refresh token as it was")
    func transient() async throws {
        try await Self.withAccount { app, account in
            let tokens = AccessTokenProvider(db: app.db, vault: app.syncboard.vault, google: .unimplemented, microsoft: Self.auth { _ in
                throw MicrosoftAuthFailure.other("Microsoft could not be reached (HTTPClientError)")
            })
            await #expect(throws: AccessTokenProvider.Failure.self) { try await tokens.tokens(for: account, forceRefresh: true) }
            let stored = try #require(try await LinkedAccount.find(account.id, on: app.db))
            #expect(stored.status == .active)
            #expect(try app.syncboard.vault.open(try #require(stored.refreshTokenCiphertext), context: stored.vaultContext("refresh_token")) == "M.R3-old")
        }
    }

    @Test("without Microsoft set up, a Microsoft account's refresh says so (never asking Google) and leaves the account connected")
    func notSetUp() async throws {
        try await Self.withAccount { app, account in
            let tokens = AccessTokenProvider(db: app.db, vault: app.syncboard.vault, google: .unimplemented, microsoft: nil)
            do {
                _ = try await tokens.tokens(for: account, forceRefresh: true)
                Issue.record("the refresh succeeded")
            } catch AccessTokenProvider.Failure.notSetUp(let provider) {
                #expect(provider == .microsoft)
            }
            #expect(try await LinkedAccount.find(account.id, on: app.db)?.status == .active)
        }
    }
}
