import Foundation

/// What a delta link remembers: the window the first request fixed and the version of every instance the client
/// has been sent (concepts/delta-query-events.md; api-reference/v1.0/api/event-delta.md).
struct DeltaState: Sendable {
    var calendarID: String
    var from: Date
    var to: Date
    /// Instance id → change key, as of this state.
    var seen: [String: String]
}

/// The rest of one delta round, handed out page by page through `@odata.nextLink`.
struct DeltaPage: Sendable {
    var items: [JSON]
    var next: DeltaState
}

/// One page of a delta round: a `$skiptoken` for the next page, or (last page only) a `$deltatoken`.
struct DeltaAnswer: Sendable {
    var items: [JSON]
    var skipToken: String?
    var deltaToken: String?
}

extension MicrosoftEmulatorState {
    static let syncStateNotFound = GraphError(410, "syncStateNotFound",
                                              "The sync state generation is not found. Please start a new delta sync without a delta token.")

    /// `calendarView/delta`: the first request (startDateTime and endDateTime) lists every instance in the window;
    /// a delta token lists what changed since, with `@removed` for instances gone from the window; a skip token
    /// continues a round. Pages hold at most `pageSize` items (`Prefer: odata.maxpagesize`).
    func delta(calendarID: String, from: Date?, to: Date?, deltaToken: String?, skipToken: String?, pageSize: Int,
               view: EventView) throws(GraphError) -> DeltaAnswer {
        var round: DeltaPage
        if let skipToken {
            guard let page = deltaPages.removeValue(forKey: skipToken), page.next.calendarID == calendarID else { throw Self.syncStateNotFound }
            round = page
        } else {
            let previous: DeltaState
            if let deltaToken {
                guard let state = deltaStates[deltaToken], state.calendarID == calendarID else { throw Self.syncStateNotFound }
                previous = state
            } else {
                guard let from, let to else {
                    throw GraphError(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
                }
                guard from < to else { throw GraphError(400, "ErrorInvalidParameter", "EndDateTime must be after StartDateTime.") }
                previous = DeltaState(calendarID: calendarID, from: from, to: to, seen: [:])
            }
            let current = calendarView(calendarID: calendarID, from: previous.from, to: previous.to)
            var items: [JSON] = []
            var seen: [String: String] = [:]
            for instance in current {
                seen[instance.id] = instance.changeKey
                if previous.seen[instance.id] != instance.changeKey { items.append(Self.render(instance, view: view)) }
            }
            for id in previous.seen.keys.sorted() where seen[id] == nil {
                items.append(["@odata.type": "#microsoft.graph.event", "id": .string(id), "@removed": ["reason": "deleted"]])
            }
            round = DeltaPage(items: items, next: DeltaState(calendarID: calendarID, from: previous.from, to: previous.to, seen: seen))
        }
        let page = Array(round.items.prefix(pageSize))
        let rest = Array(round.items.dropFirst(pageSize))
        if rest.isEmpty {
            let token = Self.random()
            deltaStates[token] = round.next
            return DeltaAnswer(items: page, skipToken: nil, deltaToken: token)
        }
        let token = Self.random()
        deltaPages[token] = DeltaPage(items: rest, next: round.next)
        return DeltaAnswer(items: page, skipToken: token, deltaToken: nil)
    }

    /// Every delta and skip token issued for the calendar answers 410 syncStateNotFound from now on.
    public func invalidateDeltaTokens(calendarID: String) {
        deltaStates = deltaStates.filter { $0.value.next(calendarID) }
        deltaPages = deltaPages.filter { $0.value.next.calendarID != calendarID }
    }
}

private extension DeltaState {
    func next(_ calendar: String) -> Bool { calendarID != calendar }
}
