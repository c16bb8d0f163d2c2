import Foundation
import SyncboardCore

/// The change keys of copies as last read, so an overwrite can send `If-Match` (event-update.md) and never
/// replaces a version it has not seen. Bounded; a process that has not read a copy writes without `If-Match`.
public actor ChangeKeyCache {
    private var keys: [String: String] = [:]
    private let capacity: Int

    public init(capacity: Int = 50_000) { self.capacity = max(1, capacity) }

    func remember(_ id: String, _ changeKey: String?) {
        guard let changeKey else { keys[id] = nil; return }
        if keys.count >= capacity, keys[id] == nil { keys.removeAll(keepingCapacity: true) }
        keys[id] = changeKey
    }

    func remember(_ events: [GraphEvent]) {
        for event in events where GraphEventMapping.isCopy(event) { remember(event.id, event.changeKey) }
    }

    func forget(_ id: String) { keys[id] = nil }
    public func changeKey(of id: String) -> String? { keys[id] }
}

extension CalendarProvider {
    /// Microsoft Graph as a calendar provider (issue 28 §3):
    /// - `list`: the first round of `calendarView/delta` over the window (every page), whose delta link is the cursor;
    /// - `changes`: one round from the delta link — a quiet calendar costs one call; `@removed` and cancelled
    ///   entries are removals; a link Graph no longer honours is `.cursorExpired` (list in full);
    /// - `fetch`: the event with its metadata extension, nil when it is gone or cancelled;
    /// - writes: copies created with a `transactionId` (a retried POST is dropped by Graph) and the metadata
    ///   extension, updated with `If-Match` when the copy's change key is known, written without attendees.
    /// Event types (a Google notion) are ignored: every Graph event is listed.
    public static func microsoft(_ api: GraphAPIClient, changeKeys: ChangeKeyCache = ChangeKeyCache()) -> CalendarProvider {
        CalendarProvider(
            list: { calendar, query throws(ProviderError) in
                do throws(MicrosoftError) {
                    let round = try await api.deltaStart(calendarID: calendar.id, start: query.start, end: query.end, accessToken: calendar.accessToken)
                    await changeKeys.remember(round.events)
                    var events = round.events.compactMap { GraphEventMapping.syncEvent($0, calendarHash: query.calendarHash) }
                    if query.ordered { events.sort { ($0.start, $0.id) < ($1.start, $1.id) } }
                    return EventListing(events: events, cursor: round.deltaLink)
                } catch { throw error.providerError }
            },
            changes: { calendar, cursor, _, hash throws(ProviderError) in
                do throws(MicrosoftError) {
                    let round = try await api.delta(continuing: cursor, accessToken: calendar.accessToken)
                    await changeKeys.remember(round.events)
                    var changed: [SyncEvent] = []
                    var removed = round.removed
                    var changedAt: [String: Date] = [:]
                    for event in round.events {
                        if let at = GraphEventMapping.timestamp(event.lastModifiedDateTime) { changedAt[event.id] = at }
                        if event.type == "seriesMaster" { continue }
                        if let mapped = GraphEventMapping.syncEvent(event, calendarHash: hash) { changed.append(mapped) } else { removed.append(event.id) }
                    }
                    return ChangeListing(changed: changed, removed: removed, changedAt: changedAt, count: round.count, nextCursor: round.deltaLink)
                } catch .unexpected(let detail) where detail.contains("paging link") {
                    throw ProviderError(.cursorExpired, "the stored cursor is not a Microsoft Graph delta link")
                } catch { throw error.providerError }
            },
            fetch: { calendar, id, hash throws(ProviderError) in
                do throws(MicrosoftError) {
                    let event = try await api.event(id: id, accessToken: calendar.accessToken)
                    await changeKeys.remember([event])
                    return GraphEventMapping.syncEvent(event, calendarHash: hash)
                } catch .notFound {
                    return nil
                } catch { throw error.providerError }
            },
            writes: Writes(
                insert: { calendar, copy throws(ProviderError) in
                    do throws(MicrosoftError) {
                        // One transaction id per copy, the same for every retry of its POST.
                        let write = GraphEventMapping.write(copy, transactionId: GraphEventMapping.copyMark(copy.metadata))
                        let created = try await api.createEvent(write, calendarID: calendar.id, accessToken: calendar.accessToken)
                        await changeKeys.remember(created.id, created.changeKey)
                        return created.id
                    } catch { throw error.providerError }
                },
                update: { calendar, id, copy throws(ProviderError) in
                    do throws(MicrosoftError) {
                        let known = await changeKeys.changeKey(of: id)
                        let updated = try await api.updateEvent(id: id, GraphEventMapping.write(copy, transactionId: nil), ifMatch: known,
                                                                accessToken: calendar.accessToken)
                        await changeKeys.remember(id, updated.changeKey)
                    } catch {
                        if error == .preconditionFailed { await changeKeys.forget(id) }
                        throw error.providerError
                    }
                },
                delete: { calendar, id throws(ProviderError) in
                    do throws(MicrosoftError) {
                        try await api.deleteEvent(id: id, accessToken: calendar.accessToken)
                        await changeKeys.forget(id)
                    } catch { throw error.providerError }
                }))
    }
}
