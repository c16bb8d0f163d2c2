import Foundation
import JWTKit
import Vapor

/// The Microsoft identity platform v2.0 endpoints (identity-platform docs: v2-protocols-oidc.md "OpenID Connect
/// on the Microsoft identity platform", v2-oauth2-auth-code-flow.md "authorization code flow", refresh-tokens.md,
/// id-token-claims-reference.md): discovery per tenant, authorize with a consent page, token, keys.
struct IdentityRoutes: RouteCollection {
    let state: MicrosoftEmulatorState
    let signer: JWTKeyCollection
    let jwks: String
    let base: @Sendable () -> String

    /// Personal Microsoft accounts all sit in this tenant (id-token-claims-reference.md, `tid`).
    static let consumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(":tenant", "v2.0", ".well-known", "openid-configuration", use: discovery)
        routes.get(":tenant", "oauth2", "v2.0", "authorize", use: authorize)
        routes.post(":tenant", "oauth2", "v2.0", "authorize", "decision", use: decide)
        routes.post(":tenant", "oauth2", "v2.0", "token", use: token)
        routes.get(":tenant", "discovery", "v2.0", "keys") { _ in Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: jwks)) }
    }

    /// The issuer for a tenant: the multi-tenant names (common, organizations, consumers) publish the
    /// `{tenantid}` template, which a client fills with the ID token's `tid`; a tenant id publishes itself.
    func issuer(tenant: String) -> String {
        let multi = ["common", "organizations"].contains(tenant.lowercased())
        let id = tenant.lowercased() == "consumers" ? Self.consumersTenant : tenant
        return "\(base())/\(multi ? "{tenantid}" : id)/v2.0"
    }

    func discovery(req: Request) -> Response {
        let tenant = req.parameters.get("tenant") ?? "common"
        let root = base()
        let document: JSON = [
            "issuer": .string(issuer(tenant: tenant)),
            "authorization_endpoint": .string("\(root)/\(tenant)/oauth2/v2.0/authorize"),
            "token_endpoint": .string("\(root)/\(tenant)/oauth2/v2.0/token"),
            "jwks_uri": .string("\(root)/\(tenant)/discovery/v2.0/keys"),
            "userinfo_endpoint": .string("\(root)/oidc/userinfo"),
            "end_session_endpoint": .string("\(root)/\(tenant)/oauth2/v2.0/logout"),
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver", "oid", "email"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "tenant_region_scope": .null, "cloud_instance_name": "microsoftonline.com",
        ]
        return document.response()
    }

    /// Errors about the app or redirect URI are shown on a page; the rest go back to the redirect URI with
    /// `error`, `error_description` and `state` (v2-oauth2-auth-code-flow.md, "Error response").
    func authorize(req: Request) async throws -> Response {
        let q = req.query
        let tenant = req.parameters.get("tenant") ?? "common"
        let clientID = q[String.self, at: "client_id"] ?? ""
        guard let client = await state.clients[clientID] else {
            return ConsentPage.error("AADSTS700016", "Application with identifier '\(clientID)' was not found in the directory.")
        }
        let redirectURI = q[String.self, at: "redirect_uri"] ?? ""
        guard client.redirectURIs.contains(redirectURI) else {
            return ConsentPage.error("AADSTS50011", "The redirect URI '\(redirectURI)' specified in the request does not match the redirect URIs configured for the application '\(clientID)'.")
        }
        let stateValue = q[String.self, at: "state"]
        func redirectError(_ code: String, _ description: String) -> Response {
            Self.redirect(req, to: redirectURI, ["error": code, "error_description": description, "state": stateValue])
        }
        guard q[String.self, at: "response_type"] == "code" else {
            return redirectError("unsupported_response_type", "AADSTS700054: response_type 'code' is the only one the emulator supports.")
        }
        guard let scope = q[String.self, at: "scope"], !scope.isEmpty else {
            return redirectError("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.")
        }
        // The app is a confidential client here, but Syncboard always sends PKCE; S256 only, plain is refused.
        guard let challenge = q[String.self, at: "code_challenge"], q[String.self, at: "code_challenge_method"] == "S256" else {
            return redirectError("invalid_request", "AADSTS501491: Invalid size of Code_Challenge parameter, or code_challenge_method is not S256.")
        }
        let pending = MicrosoftEmulatorState.PendingAuthorization(
            tenant: tenant, clientID: clientID, redirectURI: redirectURI, scope: scope, state: stateValue,
            nonce: q[String.self, at: "nonce"], codeChallenge: challenge)
        let id = await state.storePending(pending)
        return ConsentPage.page(action: "/\(tenant)/oauth2/v2.0/authorize/decision", requestID: id, accounts: await accounts(for: tenant),
                                clientID: clientID, scope: scope, hint: q[String.self, at: "login_hint"])
    }

    /// Which accounts a tenant signs in: common all, organizations work accounts, consumers personal ones, a tenant its own.
    func accounts(for tenant: String) async -> [MicrosoftEmulatorState.Account] {
        let all = await state.accounts
        switch tenant.lowercased() {
        case "common": return all
        case "organizations": return all.filter { $0.tenantID != Self.consumersTenant }
        case "consumers": return all.filter { $0.tenantID == Self.consumersTenant }
        default: return all.filter { $0.tenantID.lowercased() == tenant.lowercased() }
        }
    }

    func decide(req: Request) async throws -> Response {
        struct Decision: Content { var request: String; var account: String?; var action: String }
        let decision = try req.content.decode(Decision.self)
        guard let pending = await state.takePending(decision.request) else {
            return ConsentPage.error("AADSTS90014", "This sign-in request expired or was already answered.")
        }
        guard decision.action == "accept", let email = decision.account, let account = await state.account(email: email),
              await accounts(for: pending.tenant).contains(account) else {
            return Self.redirect(req, to: pending.redirectURI, [
                "error": "access_denied", "error_description": "AADSTS65004: User declined to consent to access the app.", "state": pending.state,
            ])
        }
        let code = await state.issueCode(for: pending, oid: account.oid)
        return Self.redirect(req, to: pending.redirectURI, ["code": code, "state": pending.state, "session_state": UUID().uuidString.lowercased()])
    }

    static func redirect(_ req: Request, to uri: String, _ parameters: KeyValuePairs<String, String?>) -> Response {
        var components = URLComponents(string: uri)!
        components.queryItems = (components.queryItems ?? []) + parameters.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        return req.redirect(to: components.url!.absoluteString)
    }

    /// The token endpoint: authorization_code (with PKCE) and refresh_token; the refresh token rotates on use.
    func token(req: Request) async throws -> Response {
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        var clientID = form["client_id"], secret = form["client_secret"]
        if let basic = req.headers.basicAuthorization { clientID = basic.username; secret = basic.password }
        guard let id = clientID, let client = await state.clients[id] else {
            return Self.oauthError(400, "unauthorized_client", 700016, "Application with identifier '\(clientID ?? "")' was not found in the directory.")
        }
        guard client.clientSecret == secret else {
            return Self.oauthError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
        }
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"], let grant = await state.redeem(code: code) else {
                return Self.oauthError(400, "invalid_grant", 70000, "The provided authorization code or refresh token is invalid, expired, or already used.")
            }
            guard grant.expires > Date() else {
                return Self.oauthError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.")
            }
            guard grant.authorization.clientID == id, grant.authorization.redirectURI == form["redirect_uri"] else {
                return Self.oauthError(400, "invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request, or the redirect_uri differs.")
            }
            guard let verifier = form["code_verifier"], MicrosoftEmulatorState.s256(verifier) == grant.authorization.codeChallenge else {
                return Self.oauthError(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
            }
            let tokens = await state.issueTokens(oid: grant.oid, clientID: id, scope: grant.authorization.scope)
            return try await tokenResponse(access: tokens.access, refresh: tokens.refresh, scope: grant.authorization.scope, oid: grant.oid,
                                           clientID: id, nonce: grant.authorization.nonce)
        case "refresh_token":
            switch await state.refresh(token: form["refresh_token"] ?? "", clientID: id) {
            case .issued(let access, let refresh, let scope, let oid):
                return try await tokenResponse(access: access, refresh: refresh, scope: scope, oid: oid, clientID: id, nonce: nil)
            case .revoked:
                return Self.oauthError(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
            case .rotated, .unknown, .wrongClient:
                return Self.oauthError(400, "invalid_grant", 70000, "The provided value for the 'refresh_token' is not valid: it was already redeemed, or it is unknown.")
            }
        case nil:
            return Self.oauthError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        default:
            return Self.oauthError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '\(form["grant_type"]!)'.")
        }
    }

    func tokenResponse(access: String, refresh: String?, scope: String, oid: String, clientID: String, nonce: String?) async throws -> Response {
        var body: JSON = ["token_type": "Bearer", "scope": .string(scope), "expires_in": .number(await state.accessTokenLifetime),
                          "ext_expires_in": .number(await state.accessTokenLifetime), "access_token": .string(access)]
        if let refresh { body["refresh_token"] = .string(refresh) }
        if scope.split(separator: " ").contains("openid"), let account = await state.account(oid: oid) {
            let now = Int(Date().timeIntervalSince1970)
            body["id_token"] = .string(try await signer.sign(IDTokenClaims(
                ver: "2.0", iss: "\(base())/\(account.tenantID)/v2.0", sub: "\(oid)-\(clientID)".data(using: .utf8)!.base64URL,
                aud: clientID, exp: now + 3600, iat: now, nbf: now, name: account.name, preferred_username: account.email,
                email: account.email, oid: account.oid, tid: account.tenantID, nonce: nonce), kid: JWKIdentifier(string: MicrosoftEmulatorServer.keyID)))
        }
        return body.response(headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    /// The v2.0 ID token's claims (id-token-claims-reference.md).
    struct IDTokenClaims: JWTPayload {
        let ver: String, iss: String, sub: String, aud: String
        let exp: Int, iat: Int, nbf: Int
        let name: String, preferred_username: String, email: String, oid: String, tid: String
        let nonce: String?
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// The identity platform's error body: error, error_description starting with the AADSTS code, error_codes,
    /// timestamp, trace_id, correlation_id (reference-error-codes.md).
    static func oauthError(_ status: Int, _ error: String, _ code: Int, _ message: String) -> Response {
        let trace = UUID().uuidString.lowercased()
        let body: JSON = ["error": .string(error), "error_description": .string("AADSTS\(code): \(message) Trace ID: \(trace)"),
                          "error_codes": [.number(Double(code))], "timestamp": .string(GraphTime.offset(Date())),
                          "trace_id": .string(trace), "correlation_id": .string(UUID().uuidString.lowercased())]
        return body.response(status: HTTPStatus(statusCode: status))
    }
}
