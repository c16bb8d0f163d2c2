import Fluent
import Vapor

/// Sign-in with Google, the OAuth callbacks (Google's for sign-in, link and reconnect; Microsoft's for link and
/// reconnect), and sign-out.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("signin", use: signInPage)
        routes.get("auth", "google", use: startSignIn)
        routes.get("auth", "google", "callback", use: callback)
        routes.get("auth", "microsoft", "callback", use: microsoftCallback)
        routes.post("signout", use: signOut)
    }

    func signInPage(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: "/") }
        let configuration = req.application.syncboard.configuration
        return HTMLResponse.make(SignInPage(
            googleConfigured: configuration.google.isConfigured, isDemo: configuration.isDemo,
            notice: Notices.message(for: req.query[String.self, at: "notice"])).render())
    }

    func startSignIn(req: Request) async throws -> Response {
        let google = try req.application.syncboard.requireGoogleAuth()
        return try await OAuthStart(request: req, google: google).begin(purpose: .signIn, user: nil, loginHint: nil, prompt: "select_account")
    }

    func callback(req: Request) async throws -> Response {
        let google = try req.application.syncboard.requireGoogleAuth()
        let outcome: OAuthCallback.Outcome
        do {
            outcome = try await OAuthCallback(request: req, google: google).complete()
        } catch let failure as OAuthCallback.Failure {
            throw Abort(failure.status, reason: failure.message)
        }
        switch outcome {
        case .signedIn(let user, let account):
            // The account used to sign in is a linked account too: list its calendars now (a failure here is shown
            // on the accounts page, not as a failed sign-in).
            await req.discoverCalendars(of: account)
            let store = req.sessionStore
            let (token, _) = try await store.start(
                for: user, replacing: req.cookies[SessionStore.cookieName]?.string, userAgent: req.headers.first(name: .userAgent))
            let userID = try user.requireID()
            req.logger.info("signed in", metadata: ["user_id": .string(userID.uuidString)])
            let response = req.redirect(to: "/")
            response.cookies[SessionStore.cookieName] = store.cookie(token: token)
            return response
        case .linked(let account, let isNew):
            await req.discoverCalendars(of: account)
            return req.redirect(to: "/accounts?notice=\(isNew ? "linked" : "relinked")")
        case .reconnected(let account):
            await req.discoverCalendars(of: account)
            return req.redirect(to: "/accounts?notice=reconnected")
        case .cancelled(let purpose):
            return req.redirect(to: purpose == .signIn ? "/signin?notice=cancelled" : "/accounts?notice=link-cancelled")
        }
    }

    /// Microsoft's answer to a link or reconnect started on the accounts page: the account stored, then its calendars listed.
    func microsoftCallback(req: Request) async throws -> Response {
        let microsoft = try req.application.syncboard.requireMicrosoft()
        let outcome: MicrosoftLinkCallback.Outcome
        do {
            outcome = try await MicrosoftLinkCallback(request: req, microsoft: microsoft.auth).complete()
        } catch let failure as OAuthCallback.Failure {
            throw Abort(failure.status, reason: failure.message)
        }
        switch outcome {
        case .linked(let account, let isNew):
            await req.discoverCalendars(of: account)
            return req.redirect(to: "/accounts?notice=\(isNew ? "linked" : "relinked")")
        case .reconnected(let account):
            await req.discoverCalendars(of: account)
            return req.redirect(to: "/accounts?notice=reconnected")
        case .cancelled:
            return req.redirect(to: "/accounts?notice=link-cancelled")
        }
    }

    func signOut(req: Request) async throws -> Response {
        if let token = req.cookies[SessionStore.cookieName]?.string {
            try await req.sessionStore.end(token: token)
        }
        let response = req.redirect(to: "/signin?notice=signed-out")
        response.cookies[SessionStore.cookieName] = req.sessionStore.expiredCookie()
        return response
    }
}
