import Crypto
import Fluent
import Foundation
import SyncboardCore
import Logging
import SQLKit

/// Checks each linked account on its own, at least daily (a token refresh, whether or not a job ran), so a revoked
/// or expired grant is reported before the next run fails. An account with an open incident that is active again
/// (reconnected) is checked at once, and its all-clear closes the incidents it caused.
struct AccountHealthChecker: Sendable {
    let db: any Database
    let vault: TokenVault
    let google: GoogleAuthService?
    /// Microsoft's identity platform, for Microsoft accounts (nil when not configured).
    var microsoft: MicrosoftAuthService? = nil
    let interval: TimeInterval
    let logger: Logger

    @discardableResult
    func checkDue(now: Date = Date()) async throws -> Int {
        guard let google else { return 0 }
        try await scheduleNewAccounts(now: now)
        try await checkReconnectedSoon(now: now)
        let due = try await AccountCheck.query(on: db).filter(\.$nextCheckAt <= now).limit(20).all()
        var checked = 0
        for check in due {
            let checkID = try check.requireID()
            // Claimed by a conditional update: with several workers, one of them checks the account.
            let won = try await db.sql().raw("""
                UPDATE account_checks SET next_check_at = \(bind: now.addingTimeInterval(interval))
                WHERE id = \(bind: checkID) AND next_check_at <= \(bind: now) RETURNING id
                """).all()
            guard !won.isEmpty, let account = try await LinkedAccount.find(check.$account.id, on: db) else { continue }
            try await self.check(account, google: google, now: now)
            checked += 1
        }
        return checked
    }

    private func scheduleNewAccounts(now: Date) async throws {
        let known = Set(try await AccountCheck.query(on: db).all(\.$account.$id))
        // A published calendar (issue 29) has no grant to check.
        for account in try await LinkedAccount.query(on: db).filter(\.$provider != .icsFeed).all() where !known.contains(try account.requireID()) {
            // First check one interval after linking (the grant was just used); a lost race is harmless (unique).
            _ = try? await AccountCheck(accountID: try account.requireID(), nextCheckAt: (account.createdAt ?? now).addingTimeInterval(interval))
                .create(on: db)
        }
    }

    private func checkReconnectedSoon(now: Date) async throws {
        try await db.sql().raw("""
            UPDATE account_checks SET next_check_at = \(bind: now)
            WHERE next_check_at > \(bind: now)
              AND account_id IN (SELECT account_id FROM incidents WHERE closed_at IS NULL AND account_id IS NOT NULL)
              AND account_id IN (SELECT id FROM google_accounts WHERE status = 'active')
            """).run()
    }

    func check(_ account: LinkedAccount, google: GoogleAuthService, now: Date) async throws {
        let accountID = try account.requireID()
        guard let check = try await AccountCheck.query(on: db).filter(\.$account.$id == accountID).first() else { return }
        if account.status == .active, let envelope = account.refreshTokenCiphertext,
           let refresh = try? vault.open(envelope, context: account.vaultContext("refresh_token")) {
            let fingerprint = SHA256.hash(data: Data(refresh.utf8)).prefix(12).hexString
            if check.refreshFingerprint != fingerprint {
                check.grantSeenAt = check.refreshFingerprint == nil ? (account.createdAt ?? now) : now
                check.refreshFingerprint = fingerprint
            }
        }
        check.lastCheckedAt = now
        do {
            _ = try await AccessTokenProvider(db: db, vault: vault, google: google, microsoft: microsoft).tokens(for: account, now: now, forceRefresh: true)
            check.lastResult = "ok"
            try await check.save(on: db)
            try await accountWorks(account, now: now)
        } catch AccessTokenProvider.Failure.needsReconnect {
            check.lastResult = "needs_reconnect"
            try await check.save(on: db)
            try await accountRevoked(accountID, now: now)
        } catch {
            // The provider unreachable (or not set up here): no verdict; try again within the hour.
            check.lastResult = "unavailable"
            check.nextCheckAt = now.addingTimeInterval(min(interval, 3600))
            try await check.save(on: db)
            logger.warning("account check could not reach the account's provider", metadata: ["account_id": .string(accountID.uuidString),
                                                                                          "provider": .string(account.provider.rawValue)])
        }
    }

    private func accountRevoked(_ accountID: UUID, now: Date) async throws {
        try await db.transaction { db in
            guard let account = try await LinkedAccount.find(accountID, on: db) else { return }
            // A run may already have told the user (its incident names the account): one message per incident.
            let open = try await Incident.query(on: db).filter(\.$accountID == accountID).filter(\.$closedAt == nil).count()
            guard open == 0 else { return }
            let incident = Incident(userID: account.$user.id, jobID: nil, accountID: accountID, kind: .accountGrant, failureClass: .reconnect,
                                    summary: "\(account.provider.displayName) refused the refresh token", openedAt: now, runID: nil)
            try await incident.create(on: db)
            let age = try await AccountGrantAge.age(of: account, on: db, now: now)
            try await NoticeOutbox(db: db, now: now).post(try NoticeText.accountRevoked(account: account, incident: incident, grantAge: age))
        }
        DataGeneration.bump()
    }

    private func accountWorks(_ account: LinkedAccount, now: Date) async throws {
        let accountID = try account.requireID()
        try await db.transaction { db in
            // Job incidents stay open for the job's own all-clear unless they were about this account's grant.
            let open = try await Incident.query(on: db).filter(\.$accountID == accountID).filter(\.$closedAt == nil).all()
                .filter { $0.kind == .accountGrant || $0.failureClass == .reconnect }
            guard let first = open.first else { return }
            for incident in open { incident.closedAt = now; try await incident.save(on: db) }
            try await NoticeOutbox(db: db, now: now).post(NoticeText.accountRecovered(account: account, incidentID: try first.requireID(), now: now))
        }
        DataGeneration.bump()
    }
}
