import Metrics
import SyncEngines

/// `syncboard_propagation_latency_seconds`: from a change in a source calendar (the event's `updated` time at
/// Google) to its copy written in the destination, for every copy an incremental run writes or deletes.
enum PropagationMetric {
    static let label = "syncboard_propagation_latency_seconds"

    /// Its buckets reach from push (seconds) to a 15-minute cadence and a missed check (an hour).
    static let buckets: [Duration] = [
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300), .seconds(900), .seconds(1_800), .seconds(3_600),
    ]

    static func record(_ propagation: Propagation) {
        Timer(label: label).recordNanoseconds(Int64(propagation.latency * 1e9))
    }
}
