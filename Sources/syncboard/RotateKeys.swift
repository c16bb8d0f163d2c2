import ArgumentParser
import SyncboardApp

struct RotateKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-keys",
        abstract: "Re-encrypt every stored Google token under the newest key in SYNCBOARD_ENCRYPTION_KEYS.",
        discussion: """
            Add a new key at the end of SYNCBOARD_ENCRYPTION_KEYS (keep the old ones), restart Syncboard, run this \
            command, then remove the old keys. Reports how many secrets it rewrote; running it again rewrites none.
            """)

    func run() async throws {
        try await runReportingErrors {
            let configuration = try await ProcessRunner.loadConfiguration()
            print(try await ProcessRunner.rotateKeys(configuration))
        }
    }
}
