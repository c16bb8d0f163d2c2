import Fluent
import Foundation

/// Re-encrypts every stored secret under the newest key of the keyring (`syncboard rotate-keys`).
///
/// Each account is rewritten in its own transaction, so an interruption leaves every row readable (old rows under
/// an old key, which stays configured until the rotation has finished). Secrets already under the newest key are
/// left alone, so running it twice rewrites nothing the second time.
struct KeyRotation {
    let db: any Database
    let vault: TokenVault

    struct Report: Equatable {
        var rewritten = 0
        var alreadyCurrent = 0
    }

    func run() async throws -> Report {
        var report = Report()
        for account in try await LinkedAccount.query(on: db).all() {
            var changed = false
            for column in [\LinkedAccount.refreshTokenCiphertext, \LinkedAccount.accessTokenCiphertext] {
                guard let envelope = account[keyPath: column] else { continue }
                if vault.isCurrent(envelope) {
                    report.alreadyCurrent += 1
                    continue
                }
                let name = column == \LinkedAccount.refreshTokenCiphertext ? "refresh_token" : "access_token"
                let plaintext = try vault.open(envelope, context: account.vaultContext(name))
                account[keyPath: column] = try vault.seal(plaintext, context: account.vaultContext(name))
                report.rewritten += 1
                changed = true
            }
            if changed { try await account.save(on: db) }
        }
        // A published calendar's credentials (issue 29).
        for feed in try await FeedSubscriptionRecord.query(on: db).filter(\.$credentialsCiphertext != nil).all() {
            guard let envelope = feed.credentialsCiphertext else { continue }
            if vault.isCurrent(envelope) {
                report.alreadyCurrent += 1
                continue
            }
            let context = FeedSubscriptionRecord.vaultContext(try feed.requireID())
            feed.credentialsCiphertext = try vault.seal(try vault.open(envelope, context: context), context: context)
            try await feed.save(on: db)
            report.rewritten += 1
        }
        // OAuth attempts live minutes; expired ones are simply removed, live ones re-encrypted.
        try await OAuthAttempt.query(on: db).filter(\.$expiresAt < Date()).delete()
        for attempt in try await OAuthAttempt.query(on: db).all() where !vault.isCurrent(attempt.codeVerifierCiphertext) {
            let context = "oauth_attempts.code_verifier:\(attempt.id ?? "")"
            attempt.codeVerifierCiphertext = try vault.seal(try vault.open(attempt.codeVerifierCiphertext, context: context), context: context)
            try await attempt.save(on: db)
            report.rewritten += 1
        }
        return report
    }
}
