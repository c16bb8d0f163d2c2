import Fluent
import Foundation

/// Issuing, checking and revoking personal access tokens.
///
/// A token is `sbp_` followed by 32 random bytes in base64url (256 bits): the prefix lets secret scanners find
/// leaked ones, the entropy makes a plain SHA-256 digest a safe thing to store (no salt or slow hash is needed for
/// a secret nobody chose). The digest is compared in constant time after the lookup.
struct PersonalAccessTokens {
    static let prefix = "sbp_"
    static let nameLimit = 100

    let db: any Database

    struct Issued {
        /// The secret: shown once, never stored.
        let secret: String
        let token: PersonalAccessToken
    }

    static func generateSecret() -> String { prefix + SecureRandom.token(byteCount: 32) }

    func issue(userID: UUID, name: String, scope: PersonalAccessToken.Scope, expiresAt: Date?, now: Date = Date()) async throws -> Issued {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [SyncboardErrorMiddleware.FieldMessage] = []
        if name.isEmpty { problems.append(.init(field: "name", message: "give the token a name, e.g. the script that uses it")) }
        if name.count > Self.nameLimit { problems.append(.init(field: "name", message: "at most \(Self.nameLimit) characters")) }
        if let expiresAt, expiresAt <= now { problems.append(.init(field: "expiresAt", message: "choose a time in the future")) }
        guard problems.isEmpty else { throw ValidationFailure(reason: "The token was not created.", fields: problems) }
        let secret = Self.generateSecret()
        let token = PersonalAccessToken(userID: userID, name: name, scope: scope, tokenDigest: SecureRandom.digest(secret),
                                        displayPrefix: String(secret.prefix(Self.prefix.count + 4)), createdAt: now, expiresAt: expiresAt)
        try await token.create(on: db)
        return Issued(secret: secret, token: token)
    }

    /// The live token for a presented secret, with its user; nil for anything else (unknown, malformed, expired).
    /// Records the use at most once a minute, so that a busy script does not cost a write per request.
    func authenticate(_ presented: String, now: Date = Date()) async throws -> PersonalAccessToken? {
        guard presented.hasPrefix(Self.prefix), presented.count <= 200 else { return nil }
        let digest = SecureRandom.digest(presented)
        guard let token = try await PersonalAccessToken.query(on: db).filter(\.$tokenDigest == digest).with(\.$user).first(),
              SecureRandom.constantTimeEquals(token.tokenDigest, digest),
              !token.isExpired(at: now)
        else { return nil }
        if now.timeIntervalSince(token.lastUsedAt ?? .distantPast) > 60 {
            token.lastUsedAt = now
            try await token.save(on: db)
        }
        return token
    }

    func list(userID: UUID) async throws -> [PersonalAccessToken] {
        try await PersonalAccessToken.query(on: db).filter(\.$user.$id == userID).sort(\.$createdAt, .descending).all()
    }

    /// Deletes the user's token; false when there is no such token of theirs.
    func revoke(_ id: UUID, userID: UUID) async throws -> Bool {
        guard let token = try await PersonalAccessToken.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first() else {
            return false
        }
        try await token.delete(on: db)
        return true
    }
}
