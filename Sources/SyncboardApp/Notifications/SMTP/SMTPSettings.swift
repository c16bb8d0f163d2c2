import Foundation

/// The outgoing mail server, from SYNCBOARD_SMTP_URL: `smtp+starttls://USER:PASS@HOST:587`, `smtps://…:465`
/// (implicit TLS), or `smtp://…:25` (no TLS: refused unless SYNCBOARD_SMTP_ALLOW_PLAINTEXT=true). The password is
/// kept out of every description.
public struct SMTPSettings: Sendable, CustomStringConvertible {
    public enum Security: String, Sendable {
        /// TLS from the first byte (port 465).
        case implicitTLS
        /// Plain connection upgraded with STARTTLS before anything else is said; no upgrade, no mail.
        case startTLS
        /// No TLS at all (only when turned off explicitly).
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The envelope and From address.
    public var from: String
    /// A PEM file of CA certificates to trust instead of the system's (a private mail server, tests).
    public var caFile: String?
    /// The longest any one step (connect, each reply) may take.
    public var timeout: TimeInterval

    public init(host: String, port: Int, security: Security, username: String?, password: String?, from: String,
                caFile: String? = nil, timeout: TimeInterval = 30) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.caFile = caFile
        self.timeout = timeout
    }

    public var description: String {
        "\(security) \(username.map { "\($0)@" } ?? "")\(host):\(port) from \(from)"
    }

    static func parse(url value: String, from: String?, allowPlaintext: Bool, caFile: String?,
                      timeout: TimeInterval) throws(ConfigurationError) -> SMTPSettings {
        let variable = "SYNCBOARD_SMTP_URL"
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            throw ConfigurationError(variable: variable, expected: "expected smtp+starttls://USER:PASSWORD@HOST:587 or smtps://USER:PASSWORD@HOST:465")
        }
        let security: Security
        let defaultPort: Int
        switch scheme {
        case "smtps": (security, defaultPort) = (.implicitTLS, 465)
        case "smtp+starttls", "submission": (security, defaultPort) = (.startTLS, 587)
        case "smtp":
            guard allowPlaintext else {
                throw ConfigurationError(variable: variable, expected: "smtp:// sends mail and the password unencrypted: use smtp+starttls:// or smtps://, or set SYNCBOARD_SMTP_ALLOW_PLAINTEXT=true")
            }
            (security, defaultPort) = (.none, 25)
        default:
            throw ConfigurationError(variable: variable, expected: "expected the scheme smtp+starttls://, smtps:// or smtp://")
        }
        let address = from ?? components.queryItems?.first(where: { $0.name == "from" })?.value
        guard let address, address.contains("@"), !address.contains(where: { "<>\r\n ".contains($0) }) else {
            throw ConfigurationError(variable: "SYNCBOARD_SMTP_FROM", expected: "expected the address messages come from, e.g. syncboard@example.org (required with SYNCBOARD_SMTP_URL)")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(variable: "SYNCBOARD_SMTP_CA_FILE", expected: "expected a readable PEM file of CA certificates")
        }
        return SMTPSettings(host: host, port: components.port ?? defaultPort, security: security,
                            username: components.percentEncodedUser.map { $0.removingPercentEncoding ?? $0 },
                            password: components.percentEncodedPassword.map { $0.removingPercentEncoding ?? $0 },
                            from: address, caFile: caFile, timeout: timeout)
    }
}
