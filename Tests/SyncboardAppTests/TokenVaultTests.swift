import Crypto
import Fluent
import Foundation
import Testing
@testable import SyncboardApp

@Suite("Token vault: AES-256-GCM at rest, key ids, rotation")
struct TokenVaultTests {
    static func keyring(_ ids: String...) -> EncryptionKeyring {
        EncryptionKeyring(keys: ids.map { .init(id: $0, key: SymmetricKey(size: .bits256)) })
    }

    static let token = "1//0gRefreshTokenLooksLikeThis-abcdefghijklmnop"

    @Test("a sealed token is tagged with its key id and does not contain the token")
    func sealed() throws {
        let vault = TokenVault(keyring: Self.keyring("2026-11"))
        let envelope = try vault.seal(Self.token, context: "ctx")
        #expect(envelope.hasPrefix("v1.2026-11."))
        #expect(!envelope.contains(Self.token))
        #expect(!envelope.contains("RefreshToken"))
        #expect(try vault.open(envelope, context: "ctx") == Self.token)
        #expect(try vault.seal(Self.token, context: "ctx") != envelope, "a fresh nonce every time")
    }

    @Test("a ciphertext moved to another row (context) does not decrypt")
    func contextBinding() throws {
        let vault = TokenVault(keyring: Self.keyring("k"))
        let envelope = try vault.seal(Self.token, context: "google_accounts.refresh_token:alice")
        #expect(throws: TokenVault.VaultError.cannotDecrypt(keyID: "k")) {
            try vault.open(envelope, context: "google_accounts.refresh_token:mallory")
        }
    }

    @Test("after adding a newer key, old ciphertexts still decrypt and new ones use the newest key")
    func rotation() throws {
        let old = Self.keyring("old")
        let envelope = try TokenVault(keyring: old).seal(Self.token, context: "c")
        let both = EncryptionKeyring(keys: old.keys + Self.keyring("new").keys)
        let vault = TokenVault(keyring: both)
        #expect(try vault.open(envelope, context: "c") == Self.token)
        #expect(!vault.isCurrent(envelope))
        #expect(TokenVault.keyID(of: try vault.seal(Self.token, context: "c")) == "new")
    }

    @Test("a wrong or missing key gives a clear error that names the key id, never the secret")
    func wrongKey() throws {
        let envelope = try TokenVault(keyring: Self.keyring("k1")).seal(Self.token, context: "c")
        let impostor = TokenVault(keyring: Self.keyring("k1"))  // same id, different bytes
        do {
            _ = try impostor.open(envelope, context: "c")
            Issue.record("decrypted with the wrong key")
        } catch let error as TokenVault.VaultError {
            #expect(error == .cannotDecrypt(keyID: "k1"))
            #expect(error.description.contains("does not decrypt with key \"k1\""))
        }
        let missing = TokenVault(keyring: Self.keyring("k2"))
        #expect(throws: TokenVault.VaultError.unknownKey(id: "k1")) { try missing.open(envelope, context: "c") }
        #expect(TokenVault.VaultError.unknownKey(id: "k1").description.contains("SYNCBOARD_ENCRYPTION_KEYS does not contain"))
        #expect(throws: TokenVault.VaultError.malformed) { try missing.open("plaintext-token", context: "c") }
    }

    @Test("rotate-keys re-encrypts every stored token under the newest key, once", arguments: TestDatabase.all)
    func rotateStoredTokens(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let oldKeys = Self.keyring("old")
            let oldVault = TokenVault(keyring: oldKeys)
            let user = User(email: "a@example.com", displayName: "A")
            try await user.create(on: app.db)
            var accounts: [LinkedAccount] = []
            for index in 0..<3 {
                let account = LinkedAccount(userID: try user.requireID(), subject: "sub-\(index)", email: "a\(index)@example.com",
                                            displayName: nil, grantedScopes: "openid")
                account.refreshTokenCiphertext = try oldVault.seal("refresh-\(index)", context: account.vaultContext("refresh_token"))
                account.accessTokenCiphertext = try oldVault.seal("access-\(index)", context: account.vaultContext("access_token"))
                try await account.create(on: app.db)
                accounts.append(account)
            }
            let newVault = TokenVault(keyring: EncryptionKeyring(keys: oldKeys.keys + Self.keyring("new").keys))
            let report = try await KeyRotation(db: app.db, vault: newVault).run()
            #expect(report == .init(rewritten: 6, alreadyCurrent: 0))

            for (index, account) in accounts.enumerated() {
                let stored = try #require(try await LinkedAccount.find(account.id, on: app.db))
                let refresh = try #require(stored.refreshTokenCiphertext)
                #expect(TokenVault.keyID(of: refresh) == "new")
                #expect(try newVault.open(refresh, context: stored.vaultContext("refresh_token")) == "refresh-\(index)")
                #expect(!refresh.contains("refresh-\(index)"))
            }
            #expect(try await KeyRotation(db: app.db, vault: newVault).run() == .init(rewritten: 0, alreadyCurrent: 6))
        }
    }
}
