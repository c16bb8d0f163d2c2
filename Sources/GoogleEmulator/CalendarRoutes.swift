import Foundation
import Vapor

/// Calendar API v3: calendarList.list and events (list, get, insert, update, patch, delete) with Google's JSON
/// shapes, error envelope and access control: 401 without a live token, 403 `insufficientPermissions` without a
/// calendar scope, 404 for a calendar the account cannot see, 403 `requiredAccessLevel` for a write without the
/// writer or owner role. Everything under /calendar/v3 passes `CalendarAPIMiddleware` (latency, faults, log).
struct CalendarRoutes: RouteCollection {
    let state: EmulatorState

    static let readScopes = ["calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly"].map { "https://www.googleapis.com/auth/" + $0 }
    static let writeScopes = ["calendar", "calendar.events"].map { "https://www.googleapis.com/auth/" + $0 }
    static let listScopes = ["calendar", "calendar.readonly", "calendar.calendarlist", "calendar.calendarlist.readonly"].map { "https://www.googleapis.com/auth/" + $0 }

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("calendar", "v3").grouped(CalendarAPIMiddleware(state: state))
        api.get("users", "me", "calendarList", use: calendarList)
        api.get("users", "me", "calendarList", ":calendarID", use: calendarListEntry)
        let events = api.grouped("calendars", ":calendarID", "events")
        events.get(use: list)
        events.post(use: insert)
        events.get(":eventID", use: get)
        events.get(":eventID", "instances", use: instances)
        events.post(":eventID", "move", use: move)
        events.post("import", use: importEvent)
        events.put(":eventID") { try await update($0, patch: false) }
        events.patch(":eventID") { try await update($0, patch: true) }
        events.delete(":eventID", use: delete)
        events.post("watch", use: watch)
        api.post("channels", "stop", use: stopChannel)
    }

    // MARK: - calendarList

    /// calendarList.list: paging, and as the "Synchronize resources efficiently" guide describes, a `nextSyncToken`
    /// on the last page; with `syncToken`, only the entries that changed since, and entries the account lost as
    /// `deleted: true` (CalendarListEntry `deleted`). A stale token is 410 `fullSyncRequired`.
    func calendarList(req: Request) async -> Response {
        guard let token = req.headers.bearerAuthorization?.token, let (account, scope) = await state.bearer(token) else { return Self.unauthenticated }
        guard Self.grants(scope, Self.listScopes) else { return Self.insufficientScopes }
        let syncToken = req.query[String.self, at: "syncToken"]
        if syncToken != nil, req.query[String.self, at: "minAccessRole"] != nil {
            return Self.badRequest("Sync token cannot be used with other query parameters (minAccessRole).", reason: "invalid")
        }
        let all: [JSONValue]
        do { all = try await state.calendarListEntries(for: account.email, syncToken: syncToken) } catch { return Self.response(for: error) }
        let size = min(max(req.query[Int.self, at: "maxResults"] ?? 100, 1), 250)
        let start = Int(req.query[String.self, at: "pageToken"] ?? "0") ?? 0
        let page = Array(all.dropFirst(start).prefix(size))
        var body: JSONValue = ["kind": "calendar#calendarList", "etag": .string(EmulatorState.etag(of: .array(all))), "items": .array(page)]
        if start + size < all.count {
            body["nextPageToken"] = .string(String(start + size))
        } else {
            body["nextSyncToken"] = .string(await state.calendarListSyncToken())
        }
        return Self.json(body)
    }

    /// calendarList.get, with `If-None-Match` ("Event versions/ETags": conditional retrieval).
    func calendarListEntry(req: Request) async -> Response {
        guard let token = req.headers.bearerAuthorization?.token, let (account, scope) = await state.bearer(token) else { return Self.unauthenticated }
        guard Self.grants(scope, Self.listScopes) else { return Self.insufficientScopes }
        var calendarID = req.parameters.get("calendarID") ?? ""
        calendarID = calendarID.removingPercentEncoding ?? calendarID
        if calendarID == "primary" { calendarID = account.email }
        guard let entry = try? await state.calendarListEntries(for: account.email, syncToken: nil).first(where: { $0["id"]?.string == calendarID }) else {
            return Self.notFound
        }
        if let etag = entry["etag"]?.string, Self.ifNoneMatch(req, etag) { return Self.notModified(etag) }
        return Self.json(entry)
    }

    // MARK: - events

    /// Who is calling and their role on the calendar in the path, or the error Google would answer.
    func authorize(_ req: Request, write: Bool) async -> Result<(email: String, calendarID: String, role: String), ErrorResponse> {
        guard let token = req.headers.bearerAuthorization?.token, let (account, scope) = await state.bearer(token) else {
            return .failure(ErrorResponse(Self.unauthenticated))
        }
        guard Self.grants(scope, write ? Self.writeScopes : Self.readScopes) else { return .failure(ErrorResponse(Self.insufficientScopes)) }
        var calendarID = req.parameters.get("calendarID") ?? ""
        calendarID = calendarID.removingPercentEncoding ?? calendarID
        if calendarID == "primary" { calendarID = account.email }
        guard let role = await state.calendar(id: calendarID)?.roles[account.email] else { return .failure(ErrorResponse(Self.notFound)) }
        if write, role != "writer", role != "owner" {
            return .failure(ErrorResponse(Self.error(403, "You need to have writer access to this calendar.", reason: "requiredAccessLevel",
                                                     status: "PERMISSION_DENIED", domain: "calendar")))
        }
        if !write, role == "freeBusyReader" {
            return .failure(ErrorResponse(Self.error(403, "You need to have reader access to this calendar.", reason: "requiredAccessLevel",
                                                     status: "PERMISSION_DENIED", domain: "calendar")))
        }
        return .success((account.email, calendarID, role))
    }

    struct ErrorResponse: Error { let response: Response; init(_ response: Response) { self.response = response } }

    func list(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: false) { case .success(let value): caller = value; case .failure(let error): return error.response }
        let query: EventQuery
        do { query = try Self.eventQuery(req) } catch { return Self.badRequest(error.message, reason: error.reason) }
        if let timeMin = query.timeMin, let timeMax = query.timeMax, timeMax <= timeMin {
            return Self.error(400, "The specified time range is empty.", reason: "timeRangeEmpty", status: "INVALID_ARGUMENT",
                              domain: "calendar", location: ("timeMax", "parameter"))
        }
        let listed: (items: [JSONValue], syncToken: String)
        let request = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "pageToken" }
            .map { "\($0.name)=\($0.value ?? "")" }.joined(separator: "&")
        do { listed = try await state.listEvents(calendarID: caller.calendarID, query: query, request: request) } catch { return Self.response(for: error) }
        return await page(req, caller: caller, items: listed.items, syncToken: listed.syncToken)
    }

    /// An Events collection page (events.list and events.instances): `maxResults` 1–2,500, `pageToken`, and on the
    /// last page `nextSyncToken` when there is one to give.
    func page(_ req: Request, caller: (email: String, calendarID: String, role: String), items: [JSONValue], syncToken: String?) async -> Response {
        let maxResults = req.query[Int.self, at: "maxResults"] ?? 250
        guard (1...2500).contains(maxResults) else { return Self.badRequest("Invalid value for maxResults: must be between 1 and 2500.", reason: "invalid") }
        let offset: Int
        if let pageToken = req.query[String.self, at: "pageToken"] {
            guard pageToken.hasPrefix("p"), let value = Int(pageToken.dropFirst()), value >= 0 else { return Self.badRequest("Invalid page token.", reason: "invalid") }
            offset = value
        } else {
            offset = 0
        }
        let calendar = await state.calendar(id: caller.calendarID)
        let version = await state.changeCounter
        var body: JSONValue = [
            "kind": "calendar#events", "etag": .string("\"p\(version)\""),
            "summary": .string(calendar?.summary ?? caller.calendarID), "description": "",
            "updated": .string(EmulatorState.formatTime(Date())),
            "timeZone": .string(req.query[String.self, at: "timeZone"] ?? calendar?.timeZone ?? "UTC"),
            "accessRole": .string(caller.role), "defaultReminders": [],
            "items": .array(Array(items.dropFirst(offset).prefix(maxResults)).map { EmulatorState.markSelf($0, email: caller.email) }),
        ]
        if offset + maxResults < items.count {
            body["nextPageToken"] = .string("p\(offset + maxResults)")
        } else if let syncToken {
            body["nextSyncToken"] = .string(syncToken)
        }
        return Self.json(body)
    }

    /// events.instances: `timeMin`, `timeMax`, `showDeleted`, `timeZone`, `originalStart`, `maxResults`, `pageToken`.
    func instances(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: false) { case .success(let value): caller = value; case .failure(let error): return error.response }
        var query = EventQuery()
        query.timeMin = req.query[String.self, at: "timeMin"].flatMap(EmulatorState.parseTime)
        query.timeMax = req.query[String.self, at: "timeMax"].flatMap(EmulatorState.parseTime)
        query.showDeleted = req.query[Bool.self, at: "showDeleted"] ?? false
        query.timeZone = req.query[String.self, at: "timeZone"].flatMap(TimeZone.init(identifier:))
        let originalStart = req.query[String.self, at: "originalStart"].flatMap(EmulatorState.parseTime)
        do {
            let items = try await state.listInstances(calendarID: caller.calendarID, eventID: req.parameters.get("eventID") ?? "", query: query,
                                                      originalStart: originalStart)
            return await page(req, caller: caller, items: items, syncToken: nil)
        } catch { return Self.response(for: error) }
    }

    func get(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: false) { case .success(let value): caller = value; case .failure(let error): return error.response }
        guard let event = await state.event(calendarID: caller.calendarID, eventID: req.parameters.get("eventID") ?? "") else { return Self.notFound }
        if let etag = event["etag"]?.string, Self.ifNoneMatch(req, etag) { return Self.notModified(etag) }
        return Self.json(EmulatorState.markSelf(event, email: caller.email))
    }

    func insert(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: true) { case .success(let value): caller = value; case .failure(let error): return error.response }
        guard let body = Self.body(req) else { return Self.badRequest("Parse Error", reason: "parseError") }
        do { return Self.json(try await state.insertEvent(calendarID: caller.calendarID, body: body, by: caller.email)) } catch { return Self.response(for: error) }
    }

    func update(_ req: Request, patch: Bool) async throws -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: true) { case .success(let value): caller = value; case .failure(let error): return error.response }
        guard let body = Self.body(req) else { return Self.badRequest("Parse Error", reason: "parseError") }
        do {
            return Self.json(try await state.updateEvent(calendarID: caller.calendarID, eventID: req.parameters.get("eventID") ?? "", body: body,
                                                         patch: patch, by: caller.email, ifMatch: req.headers.first(name: "If-Match")))
        } catch { return Self.response(for: error) }
    }

    func delete(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: true) { case .success(let value): caller = value; case .failure(let error): return error.response }
        do {
            try await state.deleteEvent(calendarID: caller.calendarID, eventID: req.parameters.get("eventID") ?? "", ifMatch: req.headers.first(name: "If-Match"))
            return Response(status: .noContent)
        } catch { return Self.response(for: error) }
    }

    /// events.move: `destination` names the calendar the event goes to; the caller needs write access to both.
    func move(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: true) { case .success(let value): caller = value; case .failure(let error): return error.response }
        guard var destination = req.query[String.self, at: "destination"] else {
            return Self.error(400, "Required parameter: destination", reason: "required", status: "INVALID_ARGUMENT", location: ("destination", "parameter"))
        }
        if destination == "primary" { destination = caller.email }
        guard let role = await state.calendar(id: destination)?.roles[caller.email] else { return Self.notFound }
        guard role == "writer" || role == "owner" else {
            return Self.error(403, "You need to have writer access to this calendar.", reason: "requiredAccessLevel", status: "PERMISSION_DENIED", domain: "calendar")
        }
        do {
            let moved = try await state.move(calendarID: caller.calendarID, eventID: req.parameters.get("eventID") ?? "", to: destination)
            return Self.json(EmulatorState.markSelf(moved, email: caller.email))
        } catch { return Self.response(for: error) }
    }

    /// events.import: adds a private copy of an event known by its `iCalUID` (required), or updates the calendar's
    /// copy with that iCalUID; "Only events with an eventType of default may be imported".
    func importEvent(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: true) { case .success(let value): caller = value; case .failure(let error): return error.response }
        guard let body = Self.body(req) else { return Self.badRequest("Parse Error", reason: "parseError") }
        do { return Self.json(try await state.importEvent(calendarID: caller.calendarID, body: body, by: caller.email)) } catch { return Self.response(for: error) }
    }

    // MARK: - Preconditions ("Event versions/ETags")

    /// `If-None-Match` naming the current etag (or `*`).
    static func ifNoneMatch(_ req: Request, _ etag: String) -> Bool {
        guard let header = req.headers.first(name: "If-None-Match") else { return false }
        return header == "*" || header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }.contains(etag)
    }

    static func notModified(_ etag: String) -> Response { Response(status: .notModified, headers: ["ETag": etag]) }

    // MARK: - Query and bodies

    struct BadQuery: Error {
        let message: String
        var reason = "badRequest"
    }

    static func eventQuery(_ req: Request) throws(BadQuery) -> EventQuery {
        var query = EventQuery()
        func time(_ name: String) throws(BadQuery) -> Date? {
            guard let text = req.query[String.self, at: name] else { return nil }
            guard let date = EmulatorState.parseTime(text) else { throw BadQuery(message: "Bad Request") }
            return date
        }
        query.timeMin = try time("timeMin")
        query.timeMax = try time("timeMax")
        query.updatedMin = try time("updatedMin")
        query.singleEvents = req.query[Bool.self, at: "singleEvents"] ?? false
        query.showDeleted = req.query[Bool.self, at: "showDeleted"] ?? false
        query.q = req.query[String.self, at: "q"]
        query.syncToken = req.query[String.self, at: "syncToken"]
        query.iCalUID = req.query[String.self, at: "iCalUID"]
        if let name = req.query[String.self, at: "timeZone"] {
            guard let zone = TimeZone(identifier: name) else { throw BadQuery(message: "Invalid time zone definition: \(name)", reason: "invalid") }
            query.timeZone = zone
        }
        switch req.query[String.self, at: "orderBy"] {
        case nil: break
        case "startTime":
            guard query.singleEvents else { throw BadQuery(message: "The requested ordering is not available for the particular query.") }
            query.orderByStartTime = true
        case "updated": query.orderByUpdated = true
        default: throw BadQuery(message: "Invalid value for orderBy.")
        }
        let pairs = (req.url.query ?? "").split(separator: "&").compactMap { item -> (String, String)? in
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        func properties(_ name: String) throws(BadQuery) -> [(String, String)] {
            try pairs.filter { $0.0 == name }.map { pair throws(BadQuery) in
                let keyValue = pair.1.split(separator: "=", maxSplits: 1).map(String.init)
                guard keyValue.count == 2 else { throw BadQuery(message: "Invalid value for \(name): \(pair.1)") }
                return (keyValue[0], keyValue[1])
            }
        }
        query.privateProperties = try properties("privateExtendedProperty")
        query.sharedProperties = try properties("sharedExtendedProperty")
        query.eventTypes = pairs.filter { $0.0 == "eventTypes" }.flatMap { $0.1.split(separator: ",").map(String.init) }
        // events.list, `syncToken`: "There are several query parameters that cannot be specified together with
        // nextSyncToken ... These are: iCalUID, orderBy, privateExtendedProperty, q, sharedExtendedProperty, timeMin,
        // timeMax, updatedMin." The reason Google answers with is not documented; `invalid` is the closest of its own.
        if query.syncToken != nil {
            let forbidden = ["iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin"]
            if let name = forbidden.first(where: { name in pairs.contains { $0.0 == name } }) {
                throw BadQuery(message: "Sync token cannot be used with other query parameters (\(name)).", reason: "invalid")
            }
        }
        return query
    }

    static func body(_ req: Request) -> JSONValue? {
        guard let buffer = req.body.data else { return nil }
        return try? JSONValue.parse(Data(buffer: buffer))
    }

    static func grants(_ scope: String, _ accepted: [String]) -> Bool {
        scope.split(separator: " ").contains { accepted.contains(String($0)) }
    }

    // MARK: - Google's answers

    static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json; charset=UTF-8"], body: .init(data: value.data()))
    }

    static func response(for failure: EventFailure) -> Response {
        switch failure {
        case .notFound: return notFound
        case .deleted: return error(410, "Resource has been deleted", reason: "deleted", status: "FAILED_PRECONDITION")
        case .duplicate: return error(409, "The requested identifier already exists.", reason: "duplicate", status: "ALREADY_EXISTS")
        case .invalid(let message): return badRequest(message, reason: "invalid")
        case .required(let message): return badRequest(message, reason: "required")
        case .refused(let reason, let message): return badRequest(message, reason: reason)
        case .fullSyncRequired:
            // "Handle API errors", 410 Gone: domain calendar, reason fullSyncRequired, location syncToken (a parameter).
            return error(410, "Sync token is no longer valid, a full sync is required.", reason: "fullSyncRequired", status: "FAILED_PRECONDITION",
                         domain: "calendar", location: ("syncToken", "parameter"))
        case .conditionNotMet:
            // "Event versions/ETags" and "Handle API errors": a write whose If-Match is stale is 412 Precondition Failed.
            return error(412, "Precondition Failed", reason: "conditionNotMet", status: "FAILED_PRECONDITION", location: ("If-Match", "header"))
        }
    }

    static var unauthenticated: Response {
        error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
              reason: "authError", status: "UNAUTHENTICATED", errorMessage: "Invalid Credentials", location: ("Authorization", "header"))
    }

    static var insufficientScopes: Response {
        error(403, "Request had insufficient authentication scopes.", reason: "insufficientPermissions", status: "PERMISSION_DENIED")
    }

    static var notFound: Response { error(404, "Not Found", reason: "notFound", status: "NOT_FOUND") }

    static func badRequest(_ message: String, reason: String = "badRequest") -> Response {
        error(400, message, reason: reason, status: "INVALID_ARGUMENT")
    }

    /// Google's error envelope: {"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}.
    static func error(_ code: Int, _ message: String, reason: String, status: String, domain: String = "global",
                      errorMessage: String? = nil, location: (String, String)? = nil) -> Response {
        var item: [String: Any] = ["domain": domain, "reason": reason, "message": errorMessage ?? message]
        if let location { item["location"] = location.0; item["locationType"] = location.1 }
        return OAuthRoutes.json(["error": ["code": code, "message": message, "errors": [item], "status": status] as [String: Any]],
                                status: HTTPStatus(statusCode: code))
    }
}
