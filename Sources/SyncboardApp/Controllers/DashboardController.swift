import Fluent
import Vapor

/// The home page: the user's jobs, or the first-run guide when there is nothing yet.
struct DashboardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: dashboard)
    }

    func dashboard(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        let accounts = try await GoogleAccount.query(on: req.db).filter(\.$user.$id == userID).count()
        let jobs = try await SyncJob.query(on: req.db).filter(\.$user.$id == userID).count()
        return HTMLResponse.make(FirstRunGuide(
            layout: req.layout(title: "Dashboard", section: .dashboard), linkedAccounts: accounts, jobs: jobs).render())
    }
}
