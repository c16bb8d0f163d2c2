import Foundation

/// Where Microsoft is: the identity platform's authority with a tenant, and Graph. The defaults are Microsoft's own
/// (`https://login.microsoftonline.com`, tenant `common`, `https://graph.microsoft.com/v1.0`); each can be pointed
/// elsewhere (microsoft-emulator) by configuration alone.
public struct MicrosoftEndpoints: Sendable, Equatable {
    /// The authority host, without a tenant: `https://login.microsoftonline.com`.
    public var authority: URL
    /// `common` (work and personal accounts), `organizations`, `consumers`, or a tenant id or domain.
    public var tenant: String
    /// Graph's versioned root: `https://graph.microsoft.com/v1.0`.
    public var graph: URL

    public init(authority: URL = URL(string: "https://login.microsoftonline.com")!, tenant: String = "common",
                graph: URL = URL(string: "https://graph.microsoft.com/v1.0")!) {
        self.authority = authority
        self.tenant = tenant
        self.graph = graph
    }

    public static let microsoft = MicrosoftEndpoints()

    /// The personal-accounts tenant (id-token-claims-reference: `tid` of every Microsoft account).
    public static let consumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

    private var tenantRoot: URL { authority.appendingPathComponent(tenant) }
    /// `/{tenant}/oauth2/v2.0/authorize`
    public var authorization: URL { tenantRoot.appendingPathComponent("oauth2/v2.0/authorize") }
    /// `/{tenant}/oauth2/v2.0/token`
    public var token: URL { tenantRoot.appendingPathComponent("oauth2/v2.0/token") }
    /// `/{tenant}/discovery/v2.0/keys`: the keys ID tokens for this tenant are signed with.
    public var jwks: URL { tenantRoot.appendingPathComponent("discovery/v2.0/keys") }
    /// `/{tenant}/v2.0/.well-known/openid-configuration`
    public var discovery: URL { tenantRoot.appendingPathComponent("v2.0/.well-known/openid-configuration") }

    /// Whether this configuration is a multi-tenant one, whose discovery document publishes the issuer template
    /// `https://login.microsoftonline.com/{tenantid}/v2.0` (v2-protocols-oidc: "Find your app's OpenID configuration").
    public var isMultiTenant: Bool { ["common", "organizations", "consumers"].contains(tenant.lowercased()) }

    /// The issuer an ID token from the account's tenant `tid` must name, or nil when this tenant does not accept
    /// that account: the template with `{tenantid}` filled for `common`; work tenants only for `organizations`;
    /// the consumers tenant only for `consumers`; exactly the configured tenant otherwise.
    public func expectedIssuer(forTenantID tid: String) -> String? {
        let lowered = tid.lowercased()
        guard !lowered.isEmpty, lowered.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return nil }
        switch tenant.lowercased() {
        case "common": break
        case "organizations": guard lowered != Self.consumersTenantID else { return nil }
        case "consumers": guard lowered == Self.consumersTenantID else { return nil }
        default: guard lowered == tenant.lowercased() else { return nil }
        }
        return authority.appendingPathComponent(tid).appendingPathComponent("v2.0").absoluteString
    }
}

/// The app registration Syncboard is in Microsoft Entra. The secret never appears in a description.
public struct MicrosoftCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String { "MicrosoftCredentials(clientID: \(clientID), clientSecret: <redacted>)" }
}

/// What linking a Microsoft account asks for (issue 28 §2): a refresh token, calendars read and write, the profile.
public enum MicrosoftScopes {
    public static let calendarSync = ["offline_access", "Calendars.ReadWrite", "User.Read", "openid", "email", "profile"]
}
