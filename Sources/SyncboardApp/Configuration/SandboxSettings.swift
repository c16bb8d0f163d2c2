import Foundation

/// Whether the CalendarSync CLI runs in a bubblewrap sandbox (SYNCBOARD_SANDBOX and friends, see .env.example).
public struct SandboxSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// The sandbox when it works on this host; without it (said in the log and on /readyz) when it does not.
        case auto
        /// CLI runs are refused when the sandbox does not work.
        case on
        /// No sandbox: the binary runs with Syncboard's own view of the system.
        case off
    }

    public var mode: Mode
    /// SYNCBOARD_SANDBOX_BWRAP: the bwrap executable; nil means `bwrap` on PATH.
    public var bwrap: String?
    /// SYNCBOARD_SANDBOX_READONLY_PATHS: more paths shown read-only inside (for a CalendarSync that needs files
    /// outside the system directories, e.g. a wrapper script's interpreter).
    public var readOnlyPaths: [String]

    public init(mode: Mode = .auto, bwrap: String? = nil, readOnlyPaths: [String] = []) {
        self.mode = mode
        self.bwrap = bwrap
        self.readOnlyPaths = readOnlyPaths
    }

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> SandboxSettings {
        let mode: Mode = try AppConfiguration.parseEnum(env.string("SYNCBOARD_SANDBOX"), variable: "SYNCBOARD_SANDBOX", default: .auto)
        let paths = (env.string("SYNCBOARD_SANDBOX_READONLY_PATHS") ?? "").split(separator: ":").map(String.init)
        guard paths.allSatisfy({ $0.hasPrefix("/") }) else {
            throw ConfigurationError(variable: "SYNCBOARD_SANDBOX_READONLY_PATHS", expected: "expected absolute paths separated by ':'")
        }
        return SandboxSettings(mode: mode, bwrap: env.string("SYNCBOARD_SANDBOX_BWRAP"), readOnlyPaths: paths)
    }
}
