import ServiceLifecycle

/// Runs a service's loop until the group's graceful shutdown, then stops it and waits a bounded time for it to end.
///
/// The loop runs in a task of its own, the one unstructured task a service keeps, because it may have to be left
/// behind: database calls ignore cancellation, and a round stuck on a database that went away must not keep a
/// stopping process alive (`withinDeadline`). The task inherits the service's task-locals, so the loop can see the
/// graceful shutdown itself (`Task.isShuttingDownGracefully`, `cancelWhenGracefulShutdown`); it is cancelled at
/// graceful shutdown when `cancelsLoop` (loops that end when cancelled), and always when the service is cancelled.
/// `whileStopping` runs during the wait (the scheduler gives its runs the grace period there).
func runLoopUntilShutdown(
    _ name: String, stopWaitingAfter limit: Duration, cancelsLoop: Bool = true,
    loop: @escaping @Sendable () async -> Void, whileStopping stop: @Sendable () async -> Void = {}
) async {
    let task = Task { await loop() }
    await withTaskCancellationHandler {
        try? await gracefulShutdown()  // returns at graceful shutdown, throws when cancelled
        if cancelsLoop { task.cancel() }
        async let ended: Void? = try? await withinDeadline(limit, "stopping \(name)") { await task.value }
        await stop()
        _ = await ended
    } onCancel: {
        task.cancel()
    }
}
