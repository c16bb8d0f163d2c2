import Foundation
import SyncboardCore

extension CalendarProvider {
    /// Google Calendar v3 as a calendar provider: single events (recurring series expanded by Google), copies written
    /// without notifying attendees, CalendarSync's metadata in private extended properties.
    public static func google(_ api: CalendarAPIClient) -> CalendarProvider {
        CalendarProvider(
            list: { calendar, query throws(ProviderError) in
                do throws(GoogleError) {
                    let listing = try await api.eventListing(calendarID: calendar.id, timeMin: query.start, timeMax: query.end, ordered: query.ordered,
                                                             eventTypes: query.eventTypes ?? CalendarAPIClient.defaultEventTypes,
                                                             accessToken: calendar.accessToken)
                    let events = listing.events.compactMap { GoogleEventMapping.syncEvent($0, calendarHash: query.calendarHash) }
                    return EventListing(events: events, cursor: listing.nextSyncToken)
                } catch { throw error.providerError }
            },
            changes: { calendar, cursor, eventTypes, hash throws(ProviderError) in
                do throws(GoogleError) {
                    let listing = try await api.eventChanges(calendarID: calendar.id, syncToken: cursor,
                                                             eventTypes: eventTypes ?? CalendarAPIClient.defaultEventTypes,
                                                             accessToken: calendar.accessToken)
                    var changedAt: [String: Date] = [:]
                    for event in listing.events { if let id = event.id, let updated = GoogleEventMapping.timestamp(event.updated) { changedAt[id] = updated } }
                    return ChangeListing(
                        changed: listing.events.filter { $0.status != "cancelled" }.compactMap { GoogleEventMapping.syncEvent($0, calendarHash: hash) },
                        removed: listing.events.filter { $0.status == "cancelled" }.compactMap(\.id),
                        changedAt: changedAt, count: listing.events.count, nextCursor: listing.nextSyncToken)
                } catch { throw error.providerError }
            },
            fetch: { calendar, id, hash throws(ProviderError) in
                do throws(GoogleError) {
                    // Google keeps a deleted event for a while as "cancelled", then forgets it (404 or 410).
                    let event = try await api.event(id: id, calendarID: calendar.id, accessToken: calendar.accessToken)
                    guard event.status != "cancelled" else { return nil }
                    return GoogleEventMapping.syncEvent(event, calendarHash: hash)
                } catch .notFound, .gone {
                    return nil
                } catch { throw error.providerError }
            },
            writes: Writes(
                insert: { calendar, copy throws(ProviderError) in
                    do throws(GoogleError) {
                        return try await api.insertEvent(GoogleEventMapping.resource(copy, forUpdate: false), calendarID: calendar.id,
                                                         accessToken: calendar.accessToken).id ?? ""
                    } catch { throw error.providerError }
                },
                update: { calendar, id, copy throws(ProviderError) in
                    do throws(GoogleError) {
                        // The version the engine read of the copy, if it read one: a copy changed since is not overwritten.
                        _ = try await api.updateEvent(GoogleEventMapping.resource(copy, forUpdate: true), id: id, calendarID: calendar.id,
                                                      ifMatch: copy.etag, accessToken: calendar.accessToken)
                    } catch { throw error.providerError }
                },
                delete: { calendar, id throws(ProviderError) in
                    do throws(GoogleError) { try await api.deleteEvent(id: id, calendarID: calendar.id, accessToken: calendar.accessToken) } catch { throw error.providerError }
                }))
    }
}
