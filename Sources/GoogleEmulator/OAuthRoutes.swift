import Foundation
import JWTKit
import Vapor

/// Google's OAuth 2.0 / OpenID Connect endpoints as they behave: discovery, authorization (consent page, or silent
/// approval for a known login_hint), token (authorization_code with PKCE, refresh_token), JWKS, userinfo, revoke.
struct OAuthRoutes: RouteCollection {
    let state: EmulatorState
    let signer: JWTKeyCollection
    let jwks: String
    let issuer: @Sendable () -> String

    func boot(routes: any RoutesBuilder) throws {
        routes.get(".well-known", "openid-configuration", use: discovery)
        routes.get("o", "oauth2", "v2", "auth", use: authorize)
        routes.post("o", "oauth2", "v2", "auth", "decision", use: decide)
        routes.post("token", use: token)
        routes.get("oauth2", "v3", "certs") { _ in Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: jwks)) }
        routes.get("v1", "userinfo", use: userinfo)
        routes.post("revoke", use: revoke)
        routes.get("avatars", ":file", use: avatar)
    }

    /// The `picture` URL of an account: a generated SVG with its initial, so nothing is fetched from elsewhere.
    func pictureURL(_ account: EmulatorState.Account) -> String { "\(issuer())/avatars/\(account.subject).svg" }

    func avatar(req: Request) async -> Response {
        let subject = (req.parameters.get("file") ?? "").replacingOccurrences(of: ".svg", with: "")
        guard let account = await state.account(subject: subject) else { return Response(status: .notFound) }
        let initial = String(account.name.first ?? account.email.first ?? "?").uppercased()
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><circle cx="48" cy="48" r="48" fill="#1a73e8"/>\
        <text x="48" y="62" font-family="sans-serif" font-size="44" fill="#fff" text-anchor="middle">\(initial)</text></svg>
        """
        return Response(status: .ok, headers: ["Content-Type": "image/svg+xml"], body: .init(string: svg))
    }

    func discovery(req: Request) -> Response {
        let base = issuer()
        let document: [String: Any] = [
            "issuer": base, "authorization_endpoint": "\(base)/o/oauth2/v2/auth", "token_endpoint": "\(base)/token",
            "userinfo_endpoint": "\(base)/v1/userinfo", "revocation_endpoint": "\(base)/revoke", "jwks_uri": "\(base)/oauth2/v3/certs",
            "response_types_supported": ["code"], "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"], "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }

    /// Google shows its errors for a bad client or redirect URI on its own page, never redirecting.
    func authorize(req: Request) async throws -> Response {
        let q = req.query
        let clientID = q[String.self, at: "client_id"] ?? ""
        guard let client = await state.clients[clientID] else { return ConsentPage.error("invalid_client", "The OAuth client was not found.") }
        let redirectURI = q[String.self, at: "redirect_uri"] ?? ""
        guard client.redirectURIs.contains(redirectURI) else {
            return ConsentPage.error("redirect_uri_mismatch", "The redirect URI in the request does not match the ones authorized for the OAuth client.")
        }
        func redirectError(_ code: String) -> Response {
            var components = URLComponents(string: redirectURI)!
            components.queryItems = [.init(name: "error", value: code)] + (q[String.self, at: "state"].map { [.init(name: "state", value: $0)] } ?? [])
            return req.redirect(to: components.url!.absoluteString)
        }
        guard q[String.self, at: "response_type"] == "code" else { return redirectError("unsupported_response_type") }
        guard let scope = q[String.self, at: "scope"], scope.split(separator: " ").contains("openid") else { return redirectError("invalid_scope") }
        guard let challenge = q[String.self, at: "code_challenge"], q[String.self, at: "code_challenge_method"] == "S256" else {
            return redirectError("invalid_request")
        }
        let request = EmulatorState.PendingAuthorization(
            clientID: clientID, redirectURI: redirectURI, scope: scope, state: q[String.self, at: "state"], nonce: q[String.self, at: "nonce"],
            codeChallenge: challenge, offline: q[String.self, at: "access_type"] == "offline")
        let prompt = q[String.self, at: "prompt"] ?? ""
        // Like Google: a returning account that already consented is approved without a page.
        if let hint = q[String.self, at: "login_hint"], !prompt.contains("consent"), !prompt.contains("select_account"),
           let account = await state.account(email: hint), await state.hasConsent(subject: account.subject, clientID: clientID, scope: scope) {
            return await approve(req, request: request, subject: account.subject)
        }
        let id = await state.storePending(request)
        return ConsentPage.chooser(requestID: id, accounts: await state.accounts, clientID: clientID, scope: scope,
                                   hint: q[String.self, at: "login_hint"])
    }

    func decide(req: Request) async throws -> Response {
        struct Decision: Content { var request: String; var account: String?; var action: String }
        let decision = try req.content.decode(Decision.self)
        guard let request = await state.takePending(decision.request) else {
            return ConsentPage.error("invalid_request", "This sign-in request expired or was already answered.")
        }
        var components = URLComponents(string: request.redirectURI)!
        guard decision.action == "allow", let email = decision.account, let account = await state.account(email: email) else {
            components.queryItems = [.init(name: "error", value: "access_denied")] + (request.state.map { [.init(name: "state", value: $0)] } ?? [])
            return req.redirect(to: components.url!.absoluteString)
        }
        return await approve(req, request: request, subject: account.subject)
    }

    private func approve(_ req: Request, request: EmulatorState.PendingAuthorization, subject: String) async -> Response {
        let code = await state.issueCode(for: request, subject: subject)
        var components = URLComponents(string: request.redirectURI)!
        components.queryItems = [.init(name: "code", value: code), .init(name: "scope", value: request.scope)]
            + (request.state.map { [.init(name: "state", value: $0)] } ?? [])
        return req.redirect(to: components.url!.absoluteString)
    }

    func token(req: Request) async throws -> Response {
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        var clientID = form["client_id"], secret = form["client_secret"]
        if let basic = req.headers.basicAuthorization { clientID = basic.username; secret = basic.password }
        guard let id = clientID, let client = await state.clients[id], client.clientSecret == secret else {
            return Self.oauthError(.unauthorized, "invalid_client", "The OAuth client was not found.")
        }
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"], let grant = await state.redeem(code: code) else {
                return Self.oauthError(.badRequest, "invalid_grant", "Malformed auth code.")
            }
            guard grant.expires > Date(), grant.authorization.clientID == id, grant.authorization.redirectURI == form["redirect_uri"] else {
                return Self.oauthError(.badRequest, "invalid_grant", "Bad Request")
            }
            guard let verifier = form["code_verifier"], EmulatorState.s256(verifier) == grant.authorization.codeChallenge else {
                return Self.oauthError(.badRequest, "invalid_grant", "Invalid code verifier.")
            }
            let tokens = await state.issueTokens(subject: grant.subject, clientID: id, scope: grant.authorization.scope, offline: grant.authorization.offline)
            let account = await state.account(subject: grant.subject)!
            let idToken = try await signer.sign(IDTokenClaims(
                iss: issuer(), aud: id, azp: id, sub: account.subject, email: account.email, email_verified: true, name: account.name,
                picture: pictureURL(account), nonce: grant.authorization.nonce, iat: Int(Date().timeIntervalSince1970), exp: Int(Date().timeIntervalSince1970) + 3600),
                kid: "emulator-1")
            var body: [String: Any] = ["access_token": tokens.access, "expires_in": Int(await state.accessTokenLifetime), "token_type": "Bearer",
                                       "scope": grant.authorization.scope, "id_token": idToken]
            if let refresh = tokens.refresh { body["refresh_token"] = refresh }
            return Self.json(body)
        case "refresh_token":
            guard let token = form["refresh_token"], let issued = await state.refresh(token: token, clientID: id) else {
                return Self.oauthError(.badRequest, "invalid_grant", "Token has been expired or revoked.")
            }
            return Self.json(["access_token": issued.access, "expires_in": Int(await state.accessTokenLifetime), "token_type": "Bearer", "scope": issued.scope])
        case nil:
            return Self.oauthError(.badRequest, "invalid_request", "Required parameter is missing: grant_type")
        default:
            return Self.oauthError(.badRequest, "unsupported_grant_type", "Invalid grant_type: \(form["grant_type"]!)")
        }
    }

    func userinfo(req: Request) async -> Response {
        guard let token = req.headers.bearerAuthorization?.token, let (account, _) = await state.bearer(token) else {
            return Self.oauthError(.unauthorized, "invalid_request", "Invalid Credentials")
        }
        return Self.json(["sub": account.subject, "email": account.email, "email_verified": true, "name": account.name,
                          "picture": pictureURL(account)])
    }

    func revoke(req: Request) async -> Response {
        let token = (try? req.content.get(String.self, at: "token")) ?? req.query[String.self, at: "token"] ?? ""
        return await state.revoke(token: token) ? Self.json([:]) : Self.oauthError(.badRequest, "invalid_token", "Token expired or revoked")
    }

    struct IDTokenClaims: JWTPayload {
        let iss: String, aud: String, azp: String, sub: String, email: String, email_verified: Bool, name: String, picture: String
        let nonce: String?
        let iat: Int, exp: Int
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    static func json(_ object: [String: Any], status: HTTPStatus = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: .init(data: data))
    }

    /// Google's OAuth error body: {"error": "...", "error_description": "..."}.
    static func oauthError(_ status: HTTPStatus, _ code: String, _ description: String) -> Response {
        json(["error": code, "error_description": description], status: status)
    }
}
