import Crypto
import Foundation
import SyncboardCore

/// What a job's sync state was built for: its two calendars, its rules and its window definition (with the time
/// zone that places the window). When the fingerprint differs, the index may hold copies the rules no longer
/// want (or miss ones they now want), so a full reconciliation follows.
struct SyncDefinition: Encodable {
    let sourceCalendar: String
    let destinationCalendar: String
    let transformers: [ConfiguredStep]
    let filters: [ConfiguredStep]
    let window: SyncWindow
    let timeZone: String
    /// A group's directions copy only originals; nil (left out of the JSON) for a copy job, so that its
    /// fingerprint is what it was before groups existed.
    let originalsOnly: Bool?

    init(job: SyncJob, source: LinkedCalendar, destination: LinkedCalendar, originalsOnly: Bool = false) {
        self.originalsOnly = originalsOnly ? true : nil
        sourceCalendar = source.providerCalendarID
        destinationCalendar = destination.providerCalendarID
        transformers = job.transformers
        filters = job.filters
        window = job.window
        timeZone = job.timeZone
    }

    /// SHA-256 of the definition as sorted-key JSON: the same definition always gives the same text.
    var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return SHA256.hash(data: data).hexString
    }
}
