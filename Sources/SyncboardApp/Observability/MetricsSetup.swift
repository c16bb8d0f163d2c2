import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics.
///
/// Vapor reports `http_requests_total` and `http_request_duration_seconds` for every request, labelled by route
/// pattern (not the raw path, so ids do not explode the label set), method and status; the scheduler adds its own.
public enum MetricsSetup {
    public static let registry = PrometheusCollectorRegistry()
    private static let once = OnceFlag()

    public static func bootstrap() {
        once.run {
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            ]
            factory.durationHistogramBuckets[PropagationMetric.label] = PropagationMetric.buckets
            MetricsSystem.bootstrap(factory)
        }
    }

    /// The registry in Prometheus text exposition format.
    public static func exposition() -> String { registry.emitToString() }
}
