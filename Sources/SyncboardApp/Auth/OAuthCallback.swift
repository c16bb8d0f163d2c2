import Fluent
import Foundation
import Vapor

/// Completes a sign-in, link or reconnect when Google redirects back.
///
/// Every check that can fail does so before anything is written: the attempt must exist, be unexpired, belong to
/// this browser, and is consumed at once (a replayed callback finds nothing); the code is exchanged with the PKCE
/// verifier; the ID token is verified against the nonce. Only then are the user, the account and the encrypted
/// tokens written, in one transaction.
struct OAuthCallback {
    let request: Request
    let google: GoogleAuthService

    enum Outcome {
        case signedIn(User, LinkedAccount)
        case linked(LinkedAccount, isNew: Bool)
        case reconnected(LinkedAccount)
        case cancelled(OAuthAttempt.Purpose)
    }

    /// Errors shown to the person, in words; never with a token or code.
    struct Failure: Error {
        let message: String
        let status: HTTPResponseStatus
        let purpose: OAuthAttempt.Purpose?
    }

    func complete() async throws -> Outcome {
        let state = request.query[String.self, at: "state"]
        guard let state, !state.isEmpty else {
            throw Failure(message: "The answer from Google had no state parameter, so it cannot be matched to a sign-in you started. Start again.",
                          status: .badRequest, purpose: nil)
        }
        guard let attempt = try await OAuthAttempt.find(SecureRandom.digest(state), on: request.db) else {
            throw Failure(message: "This sign-in link is unknown, expired or was already used. Start again.", status: .badRequest, purpose: nil)
        }
        // Consume it now: whatever happens next, this state cannot be used twice.
        try await attempt.delete(on: request.db)

        guard attempt.expiresAt > Date() else {
            throw Failure(message: "This sign-in took longer than ten minutes and expired. Start again.", status: .badRequest, purpose: attempt.purpose)
        }
        let binding = request.cookies[OAuthStart.bindingCookie]?.string ?? ""
        guard SecureRandom.constantTimeEquals(SecureRandom.digest(binding), attempt.browserBinding) else {
            throw Failure(message: "This sign-in was started in another browser (or its cookie was lost). Start again here.",
                          status: .badRequest, purpose: attempt.purpose)
        }
        if let error = request.query[String.self, at: "error"] {
            if error == "access_denied" { return .cancelled(attempt.purpose) }
            throw Failure(message: "Google did not complete the sign-in (\(Self.safeCode(error))).", status: .badRequest, purpose: attempt.purpose)
        }
        guard let code = request.query[String.self, at: "code"], !code.isEmpty else {
            throw Failure(message: "The answer from Google had no authorization code. Start again.", status: .badRequest, purpose: attempt.purpose)
        }

        let vault = request.application.syncboard.vault
        let verifier = try vault.open(attempt.codeVerifierCiphertext, context: "oauth_attempts.code_verifier:\(attempt.id ?? "")")
        let grant: GoogleAuthService.TokenGrant
        let identity: GoogleAuthService.GoogleIdentity
        do {
            grant = try await google.exchangeCode(code, verifier, OAuthStart.redirectURI(request.application.syncboard.configuration))
            guard let idToken = grant.idToken else { throw GoogleAuthFailure.invalidIDToken(reason: "Google sent no ID token") }
            identity = try await google.verifyIDToken(idToken, attempt.nonce)
        } catch let failure as GoogleAuthFailure {
            throw Failure(message: "Sign-in failed: \(failure.description).", status: .badRequest, purpose: attempt.purpose)
        }

        switch attempt.purpose {
        case .signIn:
            let (user, account) = try await signIn(identity: identity, grant: grant)
            return .signedIn(user, account)
        case .link, .reconnect:
            guard let current = request.auth.get(User.self), let owner = attempt.$user.id, try current.requireID() == owner else {
                throw Failure(message: "Linking an account needs the same signed-in session that started it. Sign in and try again.",
                              status: .forbidden, purpose: attempt.purpose)
            }
            if attempt.purpose == .reconnect, let hint = attempt.loginHint, hint.lowercased() != identity.email.lowercased() {
                throw Failure(message: "You chose \(identity.email), but this reconnects \(hint). Choose \(hint) on Google's page.",
                              status: .badRequest, purpose: .reconnect)
            }
            let (account, isNew) = try await link(identity: identity, grant: grant, to: current)
            return attempt.purpose == .reconnect ? .reconnected(account) : .linked(account, isNew: isNew)
        }
    }

    /// The user of this Google account, created on first sign-in; the account is linked to them.
    private func signIn(identity: GoogleAuthService.GoogleIdentity, grant: GoogleAuthService.TokenGrant) async throws -> (User, LinkedAccount) {
        let vault = request.application.syncboard.vault
        return try await request.db.transaction { db in
            let user: User
            let account: LinkedAccount
            if let existing = try await LinkedAccount.query(on: db).filter(\.$provider == .google).filter(\.$subject == identity.subject).with(\.$user).first() {
                account = existing
                user = existing.user
            } else {
                user = User(email: identity.email, displayName: identity.name ?? identity.email)
                try await user.create(on: db)
                account = LinkedAccount(userID: try user.requireID(), subject: identity.subject, email: identity.email,
                                        displayName: identity.name, grantedScopes: grant.scope)
            }
            user.lastSignInAt = Date()
            try await user.save(on: db)
            try Self.store(grant, identity: identity, in: account, vault: vault)
            try await account.save(on: db)
            return (user, account)
        }
    }

    /// Links (or refreshes the tokens of) a Google account for `user`; refuses one that another user owns.
    private func link(identity: GoogleAuthService.GoogleIdentity, grant: GoogleAuthService.TokenGrant, to user: User) async throws -> (LinkedAccount, Bool) {
        let vault = request.application.syncboard.vault
        let userID = try user.requireID()
        return try await request.db.transaction { db in
            if let existing = try await LinkedAccount.query(on: db).filter(\.$provider == .google).filter(\.$subject == identity.subject).first() {
                guard existing.$user.id == userID else {
                    throw Failure(message: "\(identity.email) is already linked to another Syncboard user. Ask them to unlink it first.",
                                  status: .conflict, purpose: .link)
                }
                try Self.store(grant, identity: identity, in: existing, vault: vault)
                try await existing.save(on: db)
                return (existing, false)
            }
            let account = LinkedAccount(userID: userID, subject: identity.subject, email: identity.email,
                                        displayName: identity.name, grantedScopes: grant.scope)
            try Self.store(grant, identity: identity, in: account, vault: vault)
            try await account.create(on: db)
            return (account, true)
        }
    }

    /// Writes the grant and the identity's picture into the account.
    static func store(_ grant: GoogleAuthService.TokenGrant, identity: GoogleAuthService.GoogleIdentity,
                      in account: LinkedAccount, vault: TokenVault) throws {
        try account.store(grant, email: identity.email, name: identity.name, vault: vault,
                          withoutOfflineAccess: "Google did not grant offline access; reconnect to allow Syncboard to sync while you are away.")
        account.pictureURL = identity.picture
    }

    /// Google's error codes are short ASCII words; anything else is not echoed.
    static func safeCode(_ code: String) -> String {
        code.count <= 40 && code.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }) ? code : "unknown error"
    }
}
