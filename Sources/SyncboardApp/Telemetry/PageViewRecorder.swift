import Vapor

/// Counts page views (HTML GET pages that answered 200) by route pattern and day, locally. Never the raw path
/// (ids) or a query string. Switched off with SYNCBOARD_TELEMETRY_PAGE_VIEWS=false.
struct PageViewRecorder: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard request.application.syncboard.configuration.recordsPageViews,
              request.method == .GET, response.status == .ok,
              response.headers.contentType == .html,
              let route = request.route
        else { return response }
        let name = "/" + route.path.map(\.description).joined(separator: "/")
        let event = TelemetryEvent(kind: .pageView, name: name, userID: request.auth.get(User.self)?.id, jobID: nil, value: nil, at: Date())
        do {
            try await event.create(on: request.db)
        } catch {
            request.logger.debug("page view not recorded", metadata: ["error": .string(String(describing: type(of: error)))])
        }
        return response
    }
}
