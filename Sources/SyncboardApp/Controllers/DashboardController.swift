import Fluent
import SyncboardCore
import Vapor

/// The home page: the user's jobs, or the first-run guide when there are none yet.
struct DashboardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: dashboard)
    }

    func dashboard(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        let services = req.application.syncboard
        let html = try await req.cachedPage {
            try await render(req, userID: userID, services: services)
        }
        return HTMLResponse.make(html)
    }

    private func render(_ req: Request, userID: UUID, services: SyncboardServices) async throws -> String {
        let requested = req.query[Int.self, at: "page"] ?? 1
        let page = try await DashboardQuery.page(requested, userID: userID, on: req.db, isPostgres: services.configuration.database.isPostgres)
        let layout = req.layout(title: "Dashboard", section: .dashboard)
        if page.totalJobs == 0 {
            let accounts = try await LinkedAccount.query(on: req.db).filter(\.$user.$id == userID).count()
            return FirstRunGuide(layout: layout, linkedAccounts: accounts, jobs: 0).render()
        }
        return DashboardPage(layout: layout, page: page, describeCadence: { row in
            let cadence = try? JSONDecoder().decode(Cadence.self, from: Data(row.cadenceJSON.utf8))
            return cadence.map { "\($0.words(jobID: row.id)) (\(row.timeZone))" + DashboardRow.feedNote(row.feedRefreshMinutes) } ?? "Unknown schedule"
        }, notices: try await NoticesPanel.load(userID: userID, services: services, on: req.db),
           feeds: try await DashboardFeed.load(userID: userID, on: req.db)).render()
    }
}
