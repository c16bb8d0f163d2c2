import Foundation

/// A source change that reached the destination: the original's `updated` time (Google's clock) and the moment
/// its copy was written (or deleted). The app turns it into the propagation latency histogram.
public struct Propagation: Sendable, Equatable {
    public let sourceEventID: String
    public let changedAt: Date
    public let writtenAt: Date

    public init(sourceEventID: String, changedAt: Date, writtenAt: Date) {
        self.sourceEventID = sourceEventID
        self.changedAt = changedAt
        self.writtenAt = writtenAt
    }

    /// Never negative: Google's clock and this machine's may disagree by a little.
    public var latency: TimeInterval { max(0, writtenAt.timeIntervalSince(changedAt)) }

    /// Google's `updated` (RFC 3339, usually with milliseconds); nil when absent or unreadable.
    static func parse(_ updated: String?) -> Date? {
        guard let updated else { return nil }
        return (try? Date(updated, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(updated, strategy: Date.ISO8601FormatStyle()))
    }
}
