import Foundation
import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// OpenTelemetry traces (swift-otel): on when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, exported over OTLP/HTTP (protobuf, or JSON with
/// `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`); off otherwise, when every span is a no-op. Only traces: metrics stay
/// on /metrics and logs on standard output.
public enum TracingSetup {
    private static let exporter = Mutex<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)
    private static let once = OnceFlag()

    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil else { return }
        once.run {
            let logger = Logger(label: "syncboard.tracing")
            var configuration = OTel.Configuration.default
            configuration.serviceName = "syncboard"
            configuration.logs.enabled = false
            configuration.metrics.enabled = false
            configuration.traces.exporter = .otlp
            do {
                let backend = try OTel.makeTracingBackend(configuration: configuration)
                InstrumentationSystem.bootstrap(backend.factory)
                let group = ServiceGroup(services: [backend.service], gracefulShutdownSignals: [], logger: logger)
                let task = Task { do { try await group.run() } catch {} }
                exporter.withLock { $0 = (group, task) }
                logger.info("exporting traces over OTLP")
            } catch {
                logger.warning("traces are off: the OpenTelemetry configuration was refused", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// Exports the spans still buffered; the last thing a command does.
    public static func shutdown() async {
        guard let running = exporter.withLock({ $0 }) else { return }
        await running.group.triggerGracefulShutdown()
        await running.task.value
    }
}
