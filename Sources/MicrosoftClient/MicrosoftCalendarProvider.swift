import Foundation
import SyncboardCore

extension CalendarProvider {
    /// Microsoft Graph as a calendar provider (issue 28 §3):
    /// - `list`: the first round of `calendarView/delta` over the window (every page), whose delta link is the cursor;
    /// - `changes`: one round from the delta link — a quiet calendar costs one call; `@removed` and cancelled
    ///   entries are removals; a link Graph no longer honours is `.cursorExpired` (list in full);
    /// - `fetch`: the event with its metadata extension, nil when it is gone or cancelled;
    /// - writes: copies created with a `transactionId` (a retried POST is dropped by Graph) and the metadata
    ///   extension, overwritten with `If-Match` naming the version the engine read (`SyncEvent.etag`, Graph's
    ///   `@odata.etag`: a copy changed in Outlook since is `.changedSinceRead`), written without attendees.
    /// Event types (a Google notion) are ignored: every Graph event is listed.
    public static func microsoft(_ api: GraphAPIClient) -> CalendarProvider {
        CalendarProvider(
            list: { calendar, query throws(ProviderError) in
                do throws(MicrosoftError) {
                    let round = try await api.deltaStart(calendarID: calendar.id, start: query.start, end: query.end, accessToken: calendar.accessToken)
                    var events = round.events.compactMap { GraphEventMapping.syncEvent($0, calendarHash: query.calendarHash) }
                    if query.ordered { events.sort { ($0.start, $0.id) < ($1.start, $1.id) } }
                    return EventListing(events: events, cursor: round.deltaLink)
                } catch { throw error.providerError }
            },
            changes: { calendar, cursor, _, hash throws(ProviderError) in
                do throws(MicrosoftError) {
                    let round = try await api.delta(continuing: cursor, accessToken: calendar.accessToken)
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
                        return created.id
                    } catch { throw error.providerError }
                },
                update: { calendar, id, copy throws(ProviderError) in
                    do throws(MicrosoftError) {
                        // The version the engine read of the copy, if it read one: a copy changed since is not overwritten.
                        _ = try await api.updateEvent(id: id, GraphEventMapping.write(copy, transactionId: nil), ifMatch: copy.etag,
                                                      accessToken: calendar.accessToken)
                    } catch { throw error.providerError }
                },
                delete: { calendar, id throws(ProviderError) in
                    do throws(MicrosoftError) {
                        try await api.deleteEvent(id: id, accessToken: calendar.accessToken)
                    } catch { throw error.providerError }
                }))
    }
}
