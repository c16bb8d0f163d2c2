import Crypto
import Foundation

extension EmulatorState {
    /// Records a change to a calendar (added, changed, removed, a role set) for calendarList incremental sync.
    func noteCalendarChange(_ id: String, before: Calendar?, after: Calendar?) {
        changeCounter += 1
        calendarChanges[id] = changeCounter
        for email in (before?.roles ?? [:]).keys where after?.roles[email] == nil { calendarLosses[id, default: [:]][email] = changeCounter }
        for email in (after?.roles ?? [:]).keys { calendarLosses[id]?[email] = nil }
    }

    func calendarListSyncToken() -> String { "c\(changeCounter)" }

    /// The account's calendarList entries (each with an etag of its content); with a sync token, only those changed
    /// since and `deleted` entries for calendars the account lost.
    func calendarListEntries(for email: String, syncToken: String?) throws(EventFailure) -> [JSONValue] {
        var since: Int?
        if let syncToken {
            guard syncToken.hasPrefix("c"), let value = Int(syncToken.dropFirst()), value <= changeCounter else { throw .fullSyncRequired }
            since = value
        }
        var entries: [JSONValue] = calendars(visibleTo: email).compactMap { calendar, role in
            if let since, (calendarChanges[calendar.id] ?? 0) <= since { return nil }
            var entry: JSONValue = ["kind": "calendar#calendarListEntry", "id": .string(calendar.id), "summary": .string(calendar.summary),
                                    "timeZone": .string(calendar.timeZone), "accessRole": .string(role),
                                    "backgroundColor": .string(calendar.backgroundColor), "primary": .bool(calendar.id == email)]
            entry["etag"] = .string(Self.etag(of: entry))
            return entry
        }
        if let since {
            for (id, losses) in calendarLosses.sorted(by: { $0.key < $1.key }) {
                guard let lost = losses[email], lost > since, calendar(id: id)?.roles[email] == nil else { continue }
                entries.append(["kind": "calendar#calendarListEntry", "id": .string(id), "deleted": true, "etag": .string("\"c\(lost)\"")])
            }
        }
        return entries
    }

    /// A quoted etag that changes whenever the JSON it is computed from does.
    static func etag(of value: JSONValue) -> String {
        "\"" + SHA256.hash(data: value.data()).prefix(8).map { String(format: "%02x", $0) }.joined() + "\""
    }
}
