import Fluent
import Foundation

/// A running scheduler's proof of life (see `CreateWorkerHeartbeats`).
final class WorkerHeartbeat: Model, @unchecked Sendable {
    static let schema = "worker_heartbeats"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "role") var role: String
    @Field(key: "hostname") var hostname: String
    @Field(key: "pid") var pid: Int
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "active_runs") var activeRuns: Int

    init() {}

    init(id: String, role: String, startedAt: Date, lastSeenAt: Date) {
        self.id = id
        self.role = role
        self.hostname = ProcessInfo.processInfo.hostName
        self.pid = Int(ProcessInfo.processInfo.processIdentifier)
        self.startedAt = startedAt
        self.lastSeenAt = lastSeenAt
        self.activeRuns = 0
    }
}
