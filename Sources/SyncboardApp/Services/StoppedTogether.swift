import ServiceLifecycle

/// Services that stop at the same time: a `ServiceGroup` stops its services one after the other (the last first),
/// but when `serve` stops, the HTTP server drains its requests while the scheduler gives its runs the grace period,
/// and the scheduler's loops (notifications, channels, wake-ups) stop with it. Each member runs in a child task,
/// which inherits this service's graceful shutdown, so one trigger reaches them all; this returns when all have ended.
struct StoppedTogether: Service {
    let services: [any Service]

    init(_ services: [any Service]) {
        self.services = services
    }

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            try await group.waitForAll()
        }
    }
}
