/// A configuration value that stops the process before it listens.
///
/// The description is one readable line naming the variable and what is expected. It never contains the
/// value itself: configuration values are often secrets (database passwords, encryption keys).
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let variable: String
    public let expected: String

    public init(variable: String, expected: String) {
        self.variable = variable
        self.expected = expected
    }

    public var description: String { "\(variable): \(expected)" }
}
