import Foundation

/// A source change that reached the destination: the original's change time (the service's clock) and the moment
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

    /// Never negative: the service's clock and this machine's may disagree by a little.
    public var latency: TimeInterval { max(0, writtenAt.timeIntervalSince(changedAt)) }
}
