import Vapor

/// Route registration only; the handlers live in the controllers.
func routes(_ app: Application) throws {
    // Open to everyone: operators' endpoints, static files, sign-in and the OAuth callback.
    try app.register(collection: HealthController())
    try app.register(collection: AssetsController())
    try app.register(collection: AuthController())
    try app.register(collection: OpenAPIController())
    // Google's push notifications: authenticated by channel id, resource id and token, not by a session.
    try app.register(collection: NotificationsController())
    // Microsoft Graph's change and lifecycle notifications: authenticated by subscription id and clientState.
    try app.register(collection: MicrosoftNotificationsController())
    // One-click unsubscribe (RFC 8058): authenticated by the link's signature, turns off one category only.
    try app.register(collection: UnsubscribeController())

    // Everything else needs a session: pages redirect to sign-in, the API answers 401 JSON.
    let signedIn = app.grouped(RequireSignedIn())
    try signedIn.register(collection: DashboardController())
    try signedIn.register(collection: AccountsController())
    try signedIn.register(collection: RunsController())
    try signedIn.register(collection: JobActionsController())
    try signedIn.register(collection: JobsController())
    try signedIn.register(collection: InsightsController())
    try signedIn.register(collection: TokensController())
    try signedIn.register(collection: NotificationSettingsController())
    // The API also takes personal access tokens (never the session cookie with them), and limits each caller.
    let api = app.grouped("api", "v1")
        .grouped(BearerTokenAuthenticator(), RequireSignedIn(), APIRateLimit())
    try api.register(collection: AccountsAPIController())
    try api.register(collection: JobsAPIController())
    try api.register(collection: RunsAPIController())
    try api.register(collection: NotificationsAPIController())

    // A known API path asked with a method it does not have: 405 with Allow, not 404.
    let apiRoutes = app.routes.all.filter { $0.path.first == .constant("api") }.map { ($0.path, $0.method) }
    app.middleware.use(APIMethodNotAllowed(routes: { apiRoutes }))
}
