import Foundation
import Vapor

/// Graph v1.0 calendar endpoints: /me, calendars, events CRUD, calendarView, calendarView/delta, instances and
/// open extensions (each handler names the api-reference page it follows). Behind GraphMiddleware.
struct GraphRoutes: RouteCollection {
    let state: MicrosoftEmulatorState
    let base: @Sendable () -> String

    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("v1.0").grouped(GraphMiddleware(state: state))
        let me = v1.grouped("me")
        me.get(use: profile)
        me.get("calendars", use: listCalendars)
        me.get("calendar") { req async throws -> Response in try await calendarJSON(req, try await defaultCalendar(req)).response() }
        me.get("calendars", ":calendar") { req async throws -> Response in try await calendarJSON(req, try await calendar(req)).response() }
        for events in [me.grouped("events"), me.grouped("calendar", "events"), me.grouped("calendars", ":calendar", "events")] {
            events.get(use: listEvents)
            events.post(use: createEvent)
            events.get(":event", use: getEvent)
            events.patch(":event", use: updateEvent)
            events.delete(":event", use: deleteEvent)
            events.get(":event", "instances", use: instances)
            events.post(":event", "extensions", use: addExtension)
        }
        for view in [me.grouped("calendarView"), me.grouped("calendar", "calendarView"), me.grouped("calendars", ":calendar", "calendarView")] {
            view.get(use: calendarView)
            view.get("delta", use: delta)
        }
        try v1.register(collection: SubscriptionRoutes(state: state))
    }

    func caller(_ req: Request) throws -> MicrosoftEmulatorState.Account {
        guard let account = req.storage[GraphCaller.self] else { throw GraphError(401, "InvalidAuthenticationToken", "Access token is empty.") }
        return account
    }

    func defaultCalendar(_ req: Request) async throws -> MicrosoftEmulatorState.Calendar {
        guard let calendar = await state.defaultCalendar(of: try caller(req).email) else { throw GraphError.notFound() }
        return calendar
    }

    /// The calendar in the path (`/me/calendars/{id}`), or the default calendar for `/me/events`, `/me/calendarView`.
    func calendar(_ req: Request) async throws -> MicrosoftEmulatorState.Calendar {
        guard let id = req.parameters.get("calendar") else { return try await defaultCalendar(req) }
        guard let calendar = await state.calendar(id: id.removingPercentEncoding ?? id, for: try caller(req)) else { throw GraphError.notFound() }
        return calendar
    }

    func view(_ req: Request) -> EventView {
        let (zone, name) = GraphTime.preferredZone(req.headers["Prefer"])
        return EventView(zone: zone, zoneName: name, expand: ExpandRequest(req.query[String.self, at: "$expand"]))
    }

    /// Graph answers `Preference-Applied` for the preferences it honoured.
    func preferenceHeaders(_ req: Request, pageSize: Int? = nil) -> [(String, String)] {
        var applied: [String] = []
        let (_, name) = GraphTime.preferredZone(req.headers["Prefer"])
        if req.headers["Prefer"].contains(where: { $0.lowercased().contains("outlook.timezone") }) { applied.append("outlook.timezone=\"\(name)\"") }
        if let pageSize, GraphTime.maxPageSize(req.headers["Prefer"]) != nil { applied.append("odata.maxpagesize=\(pageSize)") }
        return applied.isEmpty ? [] : [("Preference-Applied", applied.joined(separator: ","))]
    }

    /// api-reference/v1.0/api/user-get.md
    func profile(req: Request) async throws -> Response {
        let account = try caller(req)
        let json: JSON = ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", "id": .string(account.oid),
                          "displayName": .string(account.name), "mail": .string(account.email), "userPrincipalName": .string(account.email),
                          "givenName": .string(String(account.name.split(separator: " ").first ?? "")),
                          "surname": .string(String(account.name.split(separator: " ").dropFirst().joined(separator: " "))),
                          "businessPhones": [], "jobTitle": .null, "mobilePhone": .null, "officeLocation": .null, "preferredLanguage": "en-US"]
        return json.response()
    }

    /// api-reference/v1.0/resources/calendar.md
    func calendarJSON(_ req: Request, _ calendar: MicrosoftEmulatorState.Calendar) async throws -> JSON {
        let account = try caller(req)
        return ["id": .string(calendar.id), "name": .string(calendar.name), "color": "auto", "hexColor": .string(calendar.hexColor),
                "isDefaultCalendar": .bool(calendar.isDefaultCalendar), "changeKey": .string(calendar.id.prefix(8) + "AAA="), "canShare": true,
                "canViewPrivateItems": true, "canEdit": true, "isRemovable": .bool(!calendar.isDefaultCalendar), "isTallyingResponses": true,
                "allowedOnlineMeetingProviders": ["teamsForBusiness"], "defaultOnlineMeetingProvider": "teamsForBusiness",
                "owner": ["name": .string(account.name), "address": .string(account.email)]]
    }

    /// api-reference/v1.0/api/user-list-calendars.md
    func listCalendars(req: Request) async throws -> Response {
        var items: [JSON] = []
        for calendar in await state.calendars(ownedBy: try caller(req).email) { items.append(try await calendarJSON(req, calendar)) }
        return JSON.object(["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('me')/calendars", "value": .array(items)]).response()
    }

    /// A page of `items` by `$top` (default 10, as Graph pages events) and `$skip`, with `@odata.nextLink`.
    func page(_ req: Request, _ items: [JSON], defaultSize: Int = 10) -> JSON {
        let size = min(max(Int(req.query[String.self, at: "$top"] ?? "") ?? GraphTime.maxPageSize(req.headers["Prefer"]) ?? defaultSize, 1), 1000)
        let skip = max(Int(req.query[String.self, at: "$skip"] ?? "") ?? 0, 0)
        var json: JSON = ["value": .array(Array(items.dropFirst(skip).prefix(size)))]
        if skip + size < items.count {
            var components = URLComponents(string: base() + req.url.path)!
            let kept = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "$skip" && $0.name != "$top" }
            components.queryItems = kept + [URLQueryItem(name: "$top", value: String(size)), URLQueryItem(name: "$skip", value: String(skip + size))]
            json["@odata.nextLink"] = .string(components.url!.absoluteString)
        }
        return json
    }

    /// api-reference/v1.0/api/user-list-events.md: single instances and series masters (no occurrences).
    func listEvents(req: Request) async throws -> Response {
        let calendar = try await calendar(req)
        let view = view(req)
        let items = await state.storedEventInstances(calendarID: calendar.id).map { MicrosoftEmulatorState.render($0, view: view) }
        return page(req, items).response(headers: preferenceHeaders(req))
    }

    /// api-reference/v1.0/api/user-post-events.md (and calendar-post-events.md).
    func createEvent(req: Request) async throws -> Response {
        let calendar = try await calendar(req)
        guard let body = try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer())) else { throw GraphError.invalid("The request body is not JSON.") }
        let (event, _) = try await state.createEvent(calendarID: calendar.id, body)
        let instance = try await state.resolve(event.id, for: try caller(req))
        return MicrosoftEmulatorState.render(instance, view: view(req)).response(status: .created, headers: preferenceHeaders(req))
    }

    /// api-reference/v1.0/api/event-get.md
    func getEvent(req: Request) async throws -> Response {
        let instance = try await state.resolve(try eventID(req), for: try caller(req))
        return MicrosoftEmulatorState.render(instance, view: view(req)).response(headers: preferenceHeaders(req))
    }

    func eventID(_ req: Request) throws -> String {
        guard let id = req.parameters.get("event") else { throw GraphError.notFound() }
        return id.removingPercentEncoding ?? id
    }

    /// api-reference/v1.0/api/event-update.md, with `If-Match` (the event's @odata.etag) checked.
    func updateEvent(req: Request) async throws -> Response {
        guard let body = try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer())) else { throw GraphError.invalid("The request body is not JSON.") }
        let updated = try await state.updateEvent(try eventID(req), patch: body, ifMatch: req.headers.first(name: .ifMatch), for: try caller(req))
        return MicrosoftEmulatorState.render(updated, view: view(req)).response(headers: preferenceHeaders(req))
    }

    /// api-reference/v1.0/api/event-delete.md: 204.
    func deleteEvent(req: Request) async throws -> Response {
        try await state.deleteEvent(try eventID(req), ifMatch: req.headers.first(name: .ifMatch), for: try caller(req))
        return Response(status: .noContent)
    }

    func window(_ req: Request) throws -> (Date, Date) {
        let start = req.query[String.self, at: "startDateTime"] ?? req.query[String.self, at: "StartDateTime"]
        let end = req.query[String.self, at: "endDateTime"] ?? req.query[String.self, at: "EndDateTime"]
        guard let from = GraphTime.queryInstant(start), let to = GraphTime.queryInstant(end) else {
            throw GraphError(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
        }
        return (from, to)
    }

    /// api-reference/v1.0/api/user-list-calendarview.md: occurrences, exceptions and single instances in the window.
    func calendarView(req: Request) async throws -> Response {
        let calendar = try await calendar(req)
        let (from, to) = try window(req)
        let view = view(req)
        let items = await state.calendarView(calendarID: calendar.id, from: from, to: to).map { MicrosoftEmulatorState.render($0, view: view) }
        return page(req, items).response(headers: preferenceHeaders(req))
    }

    /// api-reference/v1.0/api/event-list-instances.md: a series' occurrences and exceptions in the window.
    func instances(req: Request) async throws -> Response {
        let (from, to) = try window(req)
        let target = try await state.resolve(try eventID(req), for: try caller(req))
        guard target.kind == .seriesMaster else { return page(req, []).response() }
        let view = view(req)
        let items = await state.seriesInstances(target.master, from: from, to: to).map { MicrosoftEmulatorState.render($0, view: view) }
        return page(req, items).response(headers: preferenceHeaders(req))
    }

    /// api-reference/v1.0/api/opentypeextension-post-opentypeextension.md
    func addExtension(req: Request) async throws -> Response {
        guard let body = try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer())) else { throw GraphError.invalid("The request body is not JSON.") }
        return try await state.addExtension(eventID: try eventID(req), body, for: try caller(req)).response(status: .created)
    }

    /// event-delta.md "OData query parameters": delta does not support `$expand` (nor `$select`, `$filter`,
    /// `$orderby`, `$search`), so extensions and extended properties never come with delta entries.
    func deltaView(_ req: Request) -> EventView {
        var view = view(req)
        view.expand = ExpandRequest()
        return view
    }

    /// api-reference/v1.0/api/event-delta.md: `$skiptoken` pages, the last with `@odata.deltaLink` (`$deltatoken`).
    func delta(req: Request) async throws -> Response {
        let calendar = try await calendar(req)
        let start = req.query[String.self, at: "startDateTime"] ?? req.query[String.self, at: "StartDateTime"]
        let end = req.query[String.self, at: "endDateTime"] ?? req.query[String.self, at: "EndDateTime"]
        let pageSize = GraphTime.maxPageSize(req.headers["Prefer"]) ?? 10
        let answer = try await state.delta(calendarID: calendar.id, from: GraphTime.queryInstant(start), to: GraphTime.queryInstant(end),
                                           deltaToken: req.query[String.self, at: "$deltatoken"], skipToken: req.query[String.self, at: "$skiptoken"],
                                           pageSize: pageSize, view: deltaView(req))
        var json: JSON = ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)", "value": .array(answer.items)]
        var link = URLComponents(string: base() + req.url.path)!
        if let skip = answer.skipToken {
            link.queryItems = [URLQueryItem(name: "$skiptoken", value: skip)]
            json["@odata.nextLink"] = .string(link.url!.absoluteString)
        } else if let delta = answer.deltaToken {
            link.queryItems = [URLQueryItem(name: "$deltatoken", value: delta)]
            json["@odata.deltaLink"] = .string(link.url!.absoluteString)
        }
        return json.response(headers: preferenceHeaders(req, pageSize: pageSize))
    }
}

extension MicrosoftEmulatorState {
    /// Single instances and series masters of a calendar, in creation order (what `/events` lists).
    func storedEventInstances(calendarID: String) -> [EventInstance] {
        eventOrder.compactMap { events[$0] }.filter { $0.calendarID == calendarID }.compactMap { event in
            guard let start = event.start, let end = event.end else { return nil }
            return EventInstance(id: event.id, kind: event.isSeriesMaster ? .seriesMaster : .singleInstance, master: event, fields: event.fields,
                                 changeKey: event.changeKey, modified: event.modified, start: start, end: end, originalStart: nil)
        }
    }
}
