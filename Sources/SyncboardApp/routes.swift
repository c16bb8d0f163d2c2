import Vapor

/// Route registration only; the handlers live in the controllers.
func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: AssetsController())
}
