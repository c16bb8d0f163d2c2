import Vapor

/// Syncboard's services, hung on the Vapor application.
public struct SyncboardServices: Sendable {
    public var configuration: AppConfiguration
    /// The keys that encrypt tokens at rest (configured, or generated into the data directory on SQLite).
    public var keyring: EncryptionKeyring

    public var vault: TokenVault { TokenVault(keyring: keyring) }
}

extension Application {
    private struct SyncboardKey: StorageKey {
        typealias Value = SyncboardServices
    }

    public var syncboard: SyncboardServices {
        get {
            guard let services = storage[SyncboardKey.self] else {
                fatalError("Syncboard services used before SyncboardApplication.configure ran")
            }
            return services
        }
        set { storage[SyncboardKey.self] = newValue }
    }
}
