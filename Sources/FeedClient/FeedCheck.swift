import Foundation
import Recurrence

/// What the form shows when a feed is added (issue 29: "fetched once when added, with clear errors next to the
/// field"): the calendar's own name, how many events it has, the ones that cannot be read.
public struct FeedCheck: Sendable {
    /// X-WR-CALNAME, a default for the feed's name in the form.
    public var name: String?
    /// VEVENTs read.
    public var events: Int
    /// Events left out, each with its UID and why.
    public var problems: [String]
    /// To store with the feed: its first refresh can then be a 304.
    public var validators: FeedValidators
    public var bytes: Int
}

extension FeedFetcher {
    /// Fetches and parses `feed` once, as adding it does: a `FeedError` (its `description` is the sentence to show
    /// next to the address field) when it is not a readable feed.
    public func check(_ feed: FeedURL, floatingTimeZone: TimeZone = TimeZone(identifier: "UTC")!) async throws(FeedError) -> FeedCheck {
        let response = try await fetch(feed)
        guard let body = response.body else { throw .unexpectedStatus(response.status) }
        let calendar = try FeedReader.parse(body, zone: floatingTimeZone)
        return FeedCheck(name: calendar.name, events: calendar.events.count, problems: calendar.problems.map(\.description),
                         validators: response.validators, bytes: response.bytes)
    }
}
