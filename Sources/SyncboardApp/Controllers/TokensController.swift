import Vapor

/// Settings → API tokens (HTML): list, create (the secret is shown once, in the answer to the POST), revoke.
struct TokensController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tokens = routes.grouped("settings", "tokens")
        tokens.get(use: page)
        tokens.post(use: create)
        tokens.post(":tokenID", "revoke", use: revoke)
    }

    struct CreateForm: Content {
        var name: String?
        var scope: String?
        var expiresInDays: String?
    }

    func page(req: Request) async throws -> Response {
        let notice: PageLayout.Notice? = req.query[String.self, at: "notice"] == "token-revoked"
            ? .init(kind: .info, message: "The token is revoked: it no longer works.") : nil
        return try await render(req, notice: notice)
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(CreateForm.self)
        let values = ["name": form.name ?? "", "scope": form.scope ?? "", "expiresInDays": form.expiresInDays ?? ""]
        guard let scope = PersonalAccessToken.Scope(rawValue: form.scope ?? "") else {
            return try await render(req, values: values, errors: [.init(field: "scope", message: "choose read-only or read and write")],
                                    status: .unprocessableEntity)
        }
        var expiresAt: Date?
        if let days = form.expiresInDays, days != "never" {
            guard let count = Int(days), (1...3650).contains(count) else {
                return try await render(req, values: values, errors: [.init(field: "expiresInDays", message: "choose when it expires")],
                                        status: .unprocessableEntity)
            }
            expiresAt = Date().addingTimeInterval(TimeInterval(count) * 86_400)
        }
        do {
            let issued = try await PersonalAccessTokens(db: req.db).issue(userID: try user.requireID(), name: form.name ?? "", scope: scope, expiresAt: expiresAt)
            req.logger.info("personal access token created", metadata: ["token_id": .string(issued.token.id?.uuidString ?? "")])
            return try await render(req, created: .init(name: issued.token.name, secret: issued.secret),
                                    notice: .init(kind: .success, message: "Token created. Copy it now: it is shown only once."))
        } catch let failure as ValidationFailure {
            return try await render(req, values: values, errors: failure.fields, status: .unprocessableEntity)
        }
    }

    func revoke(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("tokenID", as: UUID.self),
              try await PersonalAccessTokens(db: req.db).revoke(id, userID: try user.requireID())
        else { throw Abort(.notFound, reason: "There is no such token.") }
        return req.redirect(to: "/settings/tokens?notice=token-revoked")
    }

    private func render(_ req: Request, created: TokensPage.Created? = nil, values: [String: String] = [:],
                        errors: [SyncboardErrorMiddleware.FieldMessage] = [], notice: PageLayout.Notice? = nil,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let tokens = try await PersonalAccessTokens(db: req.db).list(userID: try req.requireUser().requireID())
        let page = TokensPage(layout: req.layout(title: "API tokens", section: .settings, notice: notice), tokens: tokens,
                              created: created, values: values, errors: errors)
        return HTMLResponse.make(page.render(), status: status)
    }
}
