import Fluent
import Foundation
import SQLKit
@testable import SyncboardApp

/// A database with what a person would miss after a restore or an upgrade: a user, a linked account with
/// encrypted tokens, calendars, a job and finished runs with their log lines.
enum OperationsFixtures {
    static let refreshToken = "1//refresh-token-that-must-survive"
    static let accessToken = "ya29.access-token-that-must-survive"
    static let logLinesPerRun = 20

    struct Filled {
        let jobID: UUID
        let accountID: UUID
    }

    static func fill(_ db: any Database, vault: TokenVault) async throws -> Filled {
        let user = try await Fixtures.user(db, email: "keeper@example.com")
        let account = try await Fixtures.account(db, user: user, subject: "subject-keeper", email: "keeper@example.com")
        account.refreshTokenCiphertext = try vault.seal(refreshToken, context: account.vaultContext("refresh_token"))
        account.accessTokenCiphertext = try vault.seal(accessToken, context: account.vaultContext("access_token"))
        try await account.save(on: db)
        let source = try await Fixtures.calendar(db, account: account)
        let destination = try await Fixtures.calendar(db, account: account)
        let jobID = try await Fixtures.job(db, user: user, source: source, destination: destination, name: "Kept job", nextRunAt: nil)
        for _ in 0..<3 { try await writeRun(db, jobID: jobID) }
        return Filled(jobID: jobID, accountID: try account.requireID())
    }

    /// One finished run and its log lines, in one transaction: a consistent copy has all of them or none.
    static func writeRun(_ db: any Database, jobID: UUID) async throws {
        try await db.transaction { db in
            let now = Date()
            let run = JobRun(jobID: jobID, trigger: .scheduled, mode: .sync, status: .succeeded, scheduledFor: now, queuedAt: now)
            run.startedAt = now
            run.finishedAt = now
            run.engine = "noop"
            run.logLineCount = logLinesPerRun
            try await run.create(on: db)
            for seq in 1...logLinesPerRun {
                try await RunLogLine(runID: try run.requireID(), seq: seq, stream: .syncboard, loggedAt: now, text: "line \(seq)").create(on: db)
            }
        }
    }

    /// The account's tokens, decrypted with `vault`.
    static func tokens(_ db: any Database, vault: TokenVault, accountID: UUID) async throws -> (refresh: String, access: String) {
        let account = try await LinkedAccount.find(accountID, on: db)
        guard let account, let refresh = account.refreshTokenCiphertext, let access = account.accessTokenCiphertext else {
            throw TestSetupError("the account or its tokens are gone")
        }
        return (try vault.open(refresh, context: account.vaultContext("refresh_token")),
                try vault.open(access, context: account.vaultContext("access_token")))
    }
}
