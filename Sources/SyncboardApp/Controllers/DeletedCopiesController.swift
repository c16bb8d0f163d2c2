import Fluent
import Vapor

/// Deletions that stick: restoring a copy the user deleted. The tombstone is marked restored and a run is queued
/// at once; that run reconciles in full and makes the copy again (`BuiltinRunExecutor`).
struct DeletedCopiesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("jobs", ":jobID", "deleted-copies").post(":tombstoneID", "restore", use: restore)
    }

    func restore(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        let jobID = try job.requireID()
        guard let tombstoneID = req.parameters.get("tombstoneID").flatMap(UUID.init(uuidString:)),
              try await TombstoneStore.restore(tombstoneID, of: jobID, on: req.db) != nil else {
            throw Abort(.notFound, reason: "No such deleted copy: it may have been restored already.")
        }
        // A run already queued or running is fine too: the next one after it restores the copy.
        if job.enabled { _ = try? await RunControl(db: req.db).runNow(jobID: jobID, mode: .sync) }
        return req.redirect(to: "/jobs/\(jobID.uuidString)?notice=copy-restored")
    }
}
