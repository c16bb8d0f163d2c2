import Foundation

/// A feed's address as given (`https://`, `webcal://`, or `http://` where the policy allows it), with any
/// `user:password@` taken out of it: the credentials travel as a Basic `Authorization` header (RFC 7617) and never
/// appear in `description`, a log line or an error.
public struct FeedURL: Sendable, Equatable, CustomStringConvertible {
    /// The address requested, without credentials; `webcal://` and `webcals://` read as `https://`.
    public let url: URL
    /// `user:password`, percent-decoded; nil when the address had none.
    let credentials: String?

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String { switch self { case .invalid(let reason): reason } }
    }

    /// - Parameter credentials: `user:password` kept apart from the address (the app stores it encrypted); takes
    ///   precedence over credentials written in `text`.
    public init(_ text: String, credentials: String? = nil) throws(Problem) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            throw .invalid("Enter the feed's full address, starting with https:// or webcal://")
        }
        switch scheme {
        // webcal is not registered with IANA; every client reads it as "this address, over HTTP(S)". We use TLS.
        case "webcal", "webcals", "https": components.scheme = "https"
        case "http": components.scheme = "http"
        default: throw .invalid("A feed address starts with https:// or webcal://, not \(scheme)://")
        }
        var inline: String?
        if let user = components.percentEncodedUser {
            let password = components.percentEncodedPassword ?? ""
            inline = (user.removingPercentEncoding ?? user) + ":" + (password.removingPercentEncoding ?? password)
        }
        components.percentEncodedUser = nil
        components.percentEncodedPassword = nil
        components.fragment = nil
        guard let url = components.url else { throw .invalid("Enter the feed's full address, starting with https:// or webcal://") }
        self.url = url
        self.credentials = credentials ?? inline
    }

    init(url: URL, credentials: String?) {
        self.url = url
        self.credentials = credentials
    }

    public var hasCredentials: Bool { credentials != nil }

    /// The `Authorization` header's value, or nil.
    var authorization: String? {
        credentials.map { "Basic " + Data($0.utf8).base64EncodedString() }
    }

    /// The address without credentials and without its query (a secret token often rides in the query of a
    /// published address, as Google's and Outlook's do), for logs and messages.
    public var description: String { Self.redacted(url) }

    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(a feed address)" }
        components.user = nil
        components.password = nil
        if components.query != nil { components.query = "..." }
        // A published address's path may itself be the secret (…/private-<token>/basic.ics): keep only its last part.
        let parts = components.path.split(separator: "/")
        if parts.count > 1 { components.path = "/.../" + parts.last! }
        return components.string ?? "(a feed address)"
    }

    public static func == (a: FeedURL, b: FeedURL) -> Bool { a.url == b.url && a.credentials == b.credentials }
}
