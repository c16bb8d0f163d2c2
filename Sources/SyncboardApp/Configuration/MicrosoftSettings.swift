import Foundation

/// The app registration in Microsoft Entra and where Microsoft is (issue 28 §2). Microsoft's real endpoints are the
/// defaults; each can be pointed elsewhere (microsoft-emulator in tests and demo mode) by configuration alone, as
/// Google's can. Without a client id and secret, Microsoft accounts cannot be linked and `MicrosoftServices` is nil.
public struct MicrosoftSettings: Sendable {
    public var clientID: String?
    public var clientSecret: String?
    /// `common` (work, school and personal accounts), `organizations`, `consumers`, or a tenant id or domain.
    public var tenant: String
    /// The identity platform's authority host, without a tenant.
    public var authorityURL: URL
    /// Graph's versioned root.
    public var graphURL: URL

    public init(clientID: String? = nil, clientSecret: String? = nil, tenant: String = "common",
                authorityURL: URL = URL(string: "https://login.microsoftonline.com")!,
                graphURL: URL = URL(string: "https://graph.microsoft.com/v1.0")!) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tenant = tenant
        self.authorityURL = authorityURL
        self.graphURL = graphURL
    }

    /// Whether Microsoft accounts can be linked: a client id and secret are configured.
    public var isConfigured: Bool { clientID != nil && clientSecret != nil }

    static let defaults: [(variable: String, url: String)] = [
        ("SYNCBOARD_MICROSOFT_AUTHORITY_URL", "https://login.microsoftonline.com"),
        ("SYNCBOARD_MICROSOFT_GRAPH_URL", "https://graph.microsoft.com/v1.0"),
    ]

    static func load(from env: EnvironmentReader) throws(ConfigurationError) -> MicrosoftSettings {
        let clientID = env.string("SYNCBOARD_MICROSOFT_CLIENT_ID")
        let clientSecret = env.string("SYNCBOARD_MICROSOFT_CLIENT_SECRET")
        if clientID != nil, clientSecret == nil {
            throw ConfigurationError(variable: "SYNCBOARD_MICROSOFT_CLIENT_SECRET",
                                     expected: "required when SYNCBOARD_MICROSOFT_CLIENT_ID is set (the app registration's client secret)")
        }
        if clientSecret != nil, clientID == nil {
            throw ConfigurationError(variable: "SYNCBOARD_MICROSOFT_CLIENT_ID",
                                     expected: "required when SYNCBOARD_MICROSOFT_CLIENT_SECRET is set (the app registration's application (client) id)")
        }
        let tenant = env.string("SYNCBOARD_MICROSOFT_TENANT") ?? "common"
        // A tenant is a path segment of every identity platform URL: a GUID, a domain, or one of the three names.
        guard tenant.count <= 100, tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw ConfigurationError(variable: "SYNCBOARD_MICROSOFT_TENANT",
                                     expected: "expected common, organizations, consumers, a tenant id (GUID) or a tenant domain")
        }
        var urls: [URL] = []
        for (variable, fallback) in defaults {
            urls.append(try AppConfiguration.parseURL(env.string(variable) ?? fallback, variable: variable))
        }
        return MicrosoftSettings(clientID: clientID, clientSecret: clientSecret, tenant: tenant, authorityURL: urls[0], graphURL: urls[1])
    }
}
