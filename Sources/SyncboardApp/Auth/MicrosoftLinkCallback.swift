import Fluent
import Foundation
import SyncboardCore
import Vapor

/// Completes linking (or reconnecting) a Microsoft account when the identity platform redirects back (issue 28 §2).
///
/// As Google's callback: every check that can fail does so before anything is written. The attempt must exist under
/// Microsoft's digest of the state, be unexpired and belong to this browser, and is consumed at once; the code is
/// redeemed with the PKCE verifier; the ID token is verified (tenant keys, issuer, audience, times) against the
/// attempt's nonce; the session must be the one that started it. Only then are the account and its encrypted tokens
/// written, in one transaction. Microsoft accounts are linked calendars only: they never sign anyone in.
struct MicrosoftLinkCallback {
    let request: Request
    let microsoft: MicrosoftAuthService

    enum Outcome {
        case linked(LinkedAccount, isNew: Bool)
        case reconnected(LinkedAccount)
        case cancelled
    }

    func complete() async throws -> Outcome {
        func failure(_ message: String, _ status: HTTPResponseStatus = .badRequest, _ purpose: OAuthAttempt.Purpose? = nil) -> OAuthCallback.Failure {
            OAuthCallback.Failure(message: message, status: status, purpose: purpose)
        }
        guard let state = request.query[String.self, at: "state"], !state.isEmpty else {
            throw failure("The answer from Microsoft had no state parameter, so it cannot be matched to a link you started. Start again.")
        }
        guard let attempt = try await OAuthAttempt.find(OAuthStart.attemptID(state: state, provider: .microsoft), on: request.db) else {
            throw failure("This link is unknown, expired or was already used. Start again.")
        }
        // Consume it now: whatever happens next, this state cannot be used twice.
        try await attempt.delete(on: request.db)
        let purpose = attempt.purpose
        guard attempt.expiresAt > Date() else {
            throw failure("Linking took longer than ten minutes and expired. Start again.", .badRequest, purpose)
        }
        let binding = request.cookies[OAuthStart.bindingCookie]?.string ?? ""
        guard SecureRandom.constantTimeEquals(SecureRandom.digest(binding), attempt.browserBinding) else {
            throw failure("This link was started in another browser (or its cookie was lost). Start again here.", .badRequest, purpose)
        }
        guard purpose == .link || purpose == .reconnect else {
            throw failure("Microsoft accounts are linked to a Syncboard user; they do not sign in. Sign in with Google first.", .badRequest, purpose)
        }
        if let error = request.query[String.self, at: "error"] {
            if error == "access_denied" { return .cancelled }
            throw failure("Microsoft did not complete the link (\(OAuthCallback.safeCode(error))).", .badRequest, purpose)
        }
        guard let code = request.query[String.self, at: "code"], !code.isEmpty else {
            throw failure("The answer from Microsoft had no authorization code. Start again.", .badRequest, purpose)
        }

        let vault = request.application.syncboard.vault
        let verifier = try vault.open(attempt.codeVerifierCiphertext, context: "oauth_attempts.code_verifier:\(attempt.id ?? "")")
        let grant: GoogleAuthService.TokenGrant
        let identity: MicrosoftIdentity
        do {
            grant = try await microsoft.exchangeCode(code, verifier, OAuthStart.redirectURI(request.application.syncboard.configuration, provider: .microsoft))
            guard let idToken = grant.idToken else { throw MicrosoftAuthFailure.invalidIDToken(reason: "Microsoft sent no ID token") }
            identity = try await microsoft.verifyIDToken(idToken, attempt.nonce)
        } catch let refused as MicrosoftAuthFailure {
            throw failure("Linking failed: \(refused.description).", .badRequest, purpose)
        }
        guard let email = identity.email, !email.isEmpty else {
            throw failure("Microsoft did not say which account this is (no email or preferred_username in its ID token).", .badRequest, purpose)
        }

        guard let current = request.auth.get(User.self), let owner = attempt.$user.id, try current.requireID() == owner else {
            throw failure("Linking an account needs the same signed-in session that started it. Sign in and try again.", .forbidden, purpose)
        }
        if purpose == .reconnect, let hint = attempt.loginHint, hint.lowercased() != email.lowercased() {
            throw failure("You chose \(email), but this reconnects \(hint). Choose \(hint) on Microsoft's page.", .badRequest, .reconnect)
        }
        let (account, isNew) = try await link(identity: identity, email: email, grant: grant, to: current)
        return purpose == .reconnect ? .reconnected(account) : .linked(account, isNew: isNew)
    }

    /// Links (or refreshes the tokens of) a Microsoft account for `user`; refuses one that another user owns.
    private func link(identity: MicrosoftIdentity, email: String, grant: GoogleAuthService.TokenGrant, to user: User) async throws -> (LinkedAccount, Bool) {
        let vault = request.application.syncboard.vault
        let userID = try user.requireID()
        return try await request.db.transaction { db in
            if let existing = try await LinkedAccount.query(on: db).filter(\.$provider == .microsoft).filter(\.$subject == identity.subject).first() {
                guard existing.$user.id == userID else {
                    throw OAuthCallback.Failure(message: "\(email) is already linked to another Syncboard user. Ask them to unlink it first.",
                                                status: .conflict, purpose: .link)
                }
                try existing.store(grant, email: email, name: identity.name, vault: vault, withoutOfflineAccess: Self.withoutOfflineAccess)
                try await existing.save(on: db)
                return (existing, false)
            }
            let account = LinkedAccount(userID: userID, provider: .microsoft, subject: identity.subject, email: email,
                                        displayName: identity.name, grantedScopes: grant.scope)
            try account.store(grant, email: email, name: identity.name, vault: vault, withoutOfflineAccess: Self.withoutOfflineAccess)
            try await account.create(on: db)
            return (account, true)
        }
    }

    static let withoutOfflineAccess =
        "Microsoft did not grant offline access (offline_access); reconnect to allow Syncboard to sync while you are away."
}
