import Configuration
import Foundation
import SystemPackage

/// Reads raw configuration values from environment variables, and from a `.env` file when there is one.
///
/// swift-configuration does the reading and layering (the process environment wins over `.env`, as with docker
/// compose) and keeps the secret variables redacted in its access reports; parsing and the readable error
/// messages are ours, in `AppConfiguration`.
public struct EnvironmentReader: Sendable {
    /// Variables whose values are secrets: never printed, never logged.
    static let secretVariables: Set<String> = [
        "DATABASE_URL", "GOOGLE_CLIENT_SECRET", "SYNCBOARD_ENCRYPTION_KEYS", "SYNCBOARD_SMTP_URL", "SYNCBOARD_MICROSOFT_CLIENT_SECRET",
    ]

    private let reader: ConfigReader

    /// A reader over exactly these variables (tests, and commands that build their own environment).
    public init(environment: [String: String]) {
        reader = ConfigReader(provider: EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .specific(Self.secretVariables)
        ))
    }

    private init(reader: ConfigReader) { self.reader = reader }

    /// The process environment over the `.env` file at `dotEnvPath` (if it exists).
    public static func process(dotEnvPath: String = ".env") async throws(ConfigurationError) -> EnvironmentReader {
        let dotEnv: EnvironmentVariablesProvider
        do {
            dotEnv = try await EnvironmentVariablesProvider(
                environmentFilePath: FilePath(dotEnvPath),
                allowMissing: true,
                secretsSpecifier: .specific(secretVariables)
            )
        } catch {
            throw ConfigurationError(variable: dotEnvPath, expected: "a readable file of KEY=value lines")
        }
        let environment = EnvironmentVariablesProvider(secretsSpecifier: .specific(secretVariables))
        return EnvironmentReader(reader: ConfigReader(providers: [environment, dotEnv]))
    }

    /// The value of `variable` (e.g. `SYNCBOARD_DATA_DIR`), or nil when it is unset or blank.
    public func string(_ variable: String) -> String? {
        let key = ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
        guard let value = reader.string(forKey: key, isSecret: Self.secretVariables.contains(variable)) else {
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
