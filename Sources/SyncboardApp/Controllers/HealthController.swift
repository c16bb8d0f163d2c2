import Fluent
import Vapor

/// `/healthz` (the process is up), `/readyz` (it can do its work), `/metrics` (Prometheus text format).
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
        routes.get("readyz", use: readiness)
        routes.get("metrics", use: metrics)
    }

    struct Health: Content {
        let status: String
        let version: String
    }

    func health(req: Request) async -> Health {
        Health(status: "ok", version: SyncboardVersion.current)
    }

    func readiness(req: Request) async -> Response {
        let report = await ReadinessReport.check(app: req.application, db: req.db)
        let response = Response(status: report.isReady ? .ok : .serviceUnavailable)
        try? response.content.encode(report, as: .json)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    func metrics(req: Request) async -> Response {
        await SchedulerHealthMetrics.record(db: req.db)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: MetricsSetup.exposition()))
    }
}
