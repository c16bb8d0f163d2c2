import Fluent
import Foundation

/// Unlinks an account: revokes Syncboard's token at Google (Microsoft has no such endpoint), deletes the account (and so its tokens and
/// calendars), and disables the jobs that used it, returning their names so the user is told which.
struct AccountUnlinking {
    let db: any Database
    let vault: TokenVault
    let google: GoogleAuthService

    struct Result {
        var disabledJobs: [String]
        /// Set when Google could not be told (the account is still unlinked here).
        var revocationWarning: String?
    }

    func unlink(_ account: LinkedAccount) async throws -> Result {
        var warning: String?
        if account.provider == .microsoft {
            // The identity platform has no endpoint for an app to revoke its own grant: the tokens are deleted here,
            // and the person removes the app's consent at Microsoft.
            if account.refreshTokenCiphertext != nil {
                warning = "Microsoft offers no way for Syncboard to revoke its own access; Syncboard deleted its tokens, and you can remove the app at myapps.microsoft.com (work or school) or account.live.com/consent/Manage (personal)."
            }
        } else if let envelope = account.refreshTokenCiphertext ?? account.accessTokenCiphertext {
            let column = account.refreshTokenCiphertext != nil ? "refresh_token" : "access_token"
            do {
                try await google.revoke(try vault.open(envelope, context: account.vaultContext(column)))
            } catch {
                warning = "Google could not be told to revoke Syncboard's access (\(error)); you can remove it at myaccount.google.com/permissions."
            }
        }
        let accountID = try account.requireID()
        let email = account.email
        let service = account.provider.displayName
        let revocationWarning = warning
        return try await db.transaction { db in
            let calendarIDs = try await LinkedCalendar.query(on: db).filter(\.$account.$id == accountID).all(\.$id)
            var disabled: [String] = []
            if !calendarIDs.isEmpty {
                let jobs = try await SyncJob.using(calendarIDs, userID: account.$user.id, on: db)
                for job in jobs {
                    job.enabled = false
                    job.nextRunAt = nil
                    job.statusReason = "Disabled because the \(service) account \(email) was unlinked. Link it again and pick its calendars to resume."
                    try await job.save(on: db)
                    disabled.append(job.name)
                }
            }
            try await account.delete(on: db)
            return Result(disabledJobs: disabled, revocationWarning: revocationWarning)
        }
    }
}
