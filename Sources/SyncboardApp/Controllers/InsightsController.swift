import Vapor

/// The insights page.
struct InsightsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("insights", use: page)
    }

    func page(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let data = try await InsightsData.load(userID: try user.requireID(), on: req.db)
        return HTMLResponse.make(InsightsPage(
            layout: req.layout(title: "Insights", section: .insights), data: data,
            pageViewsEnabled: req.application.syncboard.configuration.recordsPageViews).render())
    }
}
