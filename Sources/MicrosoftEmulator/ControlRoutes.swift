import Foundation
import Vapor

/// The control API tests and scripts use (every operation is also a method on `MicrosoftEmulatorState`):
///
///   POST   /emulator/accounts                          {"email", "name"?, "oid"?, "tenantID"?}
///   POST   /emulator/clients                           {"clientID", "clientSecret", "redirectURIs"}
///   POST   /emulator/calendars                         {"id", "name", "owner", "hexColor"?, "isDefaultCalendar"?}
///   GET    /emulator/calendars/{id}/events             → {"value": [every stored event, masters with exceptions and cancellations]}
///   POST   /emulator/calendars/{id}/events             a Graph event → the stored event ("on Outlook's side")
///   PATCH  /emulator/events/{id}                       a Graph update (an occurrence id makes an exception)
///   DELETE /emulator/events/{id}                       deletes an event or cancels an occurrence
///   POST   /emulator/calendars/{id}/invalidate-delta-tokens   every delta/skip token of the calendar → 410 syncStateNotFound
///   POST   /emulator/revoke                            {"email"}: revokes the account's grant (refresh → invalid_grant)
///   POST   /emulator/expire-access-tokens
///   POST   /emulator/faults                            {"status": 429|503, "retryAfter"?, "count"?, "email"?, "method"?, "pathPrefix"?}
///   DELETE /emulator/faults
///   GET    /emulator/requests?pathPrefix=&method=      · DELETE /emulator/requests
///   PUT    /emulator/latency                           {"milliseconds"}: added to every Graph call (benchmarks)
///   GET    /emulator/subscriptions                     (never clientState)
///   POST   /emulator/subscriptions/{id}/lifecycle      {"lifecycleEvent": "reauthorizationRequired"|"subscriptionRemoved"|"missed"}
///   PUT    /emulator/subscription-limit                {"maximumMinutes"}
///   GET    /emulator/notifications                     · DELETE /emulator/notifications
///   GET    /emulator/state                             accounts and calendars (never tokens)
struct ControlRoutes: RouteCollection {
    let state: MicrosoftEmulatorState

    func boot(routes: any RoutesBuilder) throws {
        let control = routes.grouped("emulator").grouped(ControlErrors())
        control.post("accounts") { req async throws -> Response in
            struct Body: Decodable { var email: String; var name: String?; var oid: String?; var tenantID: String? }
            let body = try req.content.decode(Body.self)
            let account = MicrosoftEmulatorState.Account(oid: body.oid ?? UUID().uuidString.lowercased(), tenantID: body.tenantID ?? MicrosoftEmulatorState.demoTenant,
                                                         email: body.email, name: body.name ?? body.email)
            await state.addAccount(account)
            return try Self.encoded(account, status: .created)
        }
        control.post("clients") { req async throws -> Response in
            let client = try req.content.decode(MicrosoftEmulatorState.Client.self)
            await state.addClient(client)
            return try Self.encoded(client, status: .created)
        }
        control.post("calendars") { req async throws -> Response in
            let calendar = try req.content.decode(MicrosoftEmulatorState.Calendar.self)
            await state.addCalendar(calendar)
            return try Self.encoded(calendar, status: .created)
        }
        control.get("calendars", ":id", "events") { req async throws -> Response in
            let events = await state.storedEvents(calendarID: req.parameters.get("id") ?? "")
            return JSON.object(["value": .array(events)]).response()
        }
        control.post("calendars", ":id", "events") { req async throws -> Response in
            try await state.controlCreate(calendarID: req.parameters.get("id") ?? "", try Self.body(req)).response(status: .created)
        }
        control.patch("events", ":id") { req async throws -> Response in
            try await state.controlUpdate(eventID: req.parameters.get("id") ?? "", try Self.body(req)).response()
        }
        control.delete("events", ":id") { req async throws -> HTTPStatus in
            try await state.controlDelete(eventID: req.parameters.get("id") ?? "")
            return .noContent
        }
        control.post("calendars", ":id", "invalidate-delta-tokens") { req async throws -> HTTPStatus in
            await state.invalidateDeltaTokens(calendarID: req.parameters.get("id") ?? "")
            return .noContent
        }
        control.post("revoke") { req async throws -> HTTPStatus in
            struct Body: Decodable { var email: String }
            await state.revokeGrants(ofEmail: try req.content.decode(Body.self).email)
            return .noContent
        }
        control.post("expire-access-tokens") { _ async -> HTTPStatus in
            await state.expireAccessTokens()
            return .noContent
        }
        control.post("faults") { req async throws -> HTTPStatus in
            let fault = try req.content.decode(ThrottleFault.self)
            guard [429, 503].contains(fault.status) else { throw Abort(.badRequest, reason: "status must be 429 or 503") }
            await state.injectFault(fault)
            return .noContent
        }
        control.delete("faults") { _ async -> HTTPStatus in
            await state.clearFaults()
            return .noContent
        }
        control.put("latency") { req async throws -> HTTPStatus in
            struct Body: Decodable { var milliseconds: Int }
            let milliseconds = try req.content.decode(Body.self).milliseconds
            guard (0...60_000).contains(milliseconds) else { throw Abort(.badRequest, reason: "milliseconds must be between 0 and 60000") }
            await state.setLatency(.milliseconds(milliseconds))
            return .noContent
        }
        control.get("requests") { req async throws -> Response in
            struct Log: Encodable { var count: Int; var requests: [GraphRequestRecord] }
            let requests = await state.requests(pathPrefix: req.query[String.self, at: "pathPrefix"], method: req.query[String.self, at: "method"])
            return try Self.encoded(Log(count: requests.count, requests: requests))
        }
        control.delete("requests") { _ async -> HTTPStatus in
            await state.clearRequestLog()
            return .noContent
        }
        control.get("subscriptions") { _ async throws -> Response in
            try Self.encoded(["value": await state.allSubscriptions()])
        }
        control.post("subscriptions", ":id", "lifecycle") { req async throws -> HTTPStatus in
            struct Body: Decodable { var lifecycleEvent: String }
            try await state.sendLifecycleEvent(try req.content.decode(Body.self).lifecycleEvent, subscriptionID: req.parameters.get("id") ?? "")
            return .accepted
        }
        control.put("subscription-limit") { req async throws -> HTTPStatus in
            struct Body: Decodable { var maximumMinutes: Int }
            let minutes = try req.content.decode(Body.self).maximumMinutes
            guard minutes > 0 else { throw Abort(.badRequest, reason: "maximumMinutes must be positive") }
            await state.setMaximumSubscriptionMinutes(minutes)
            return .noContent
        }
        control.get("notifications") { _ async throws -> Response in
            try Self.encoded(["value": await state.notificationRecords()])
        }
        control.delete("notifications") { _ async -> HTTPStatus in
            await state.clearNotificationRecords()
            return .noContent
        }
        control.get("state") { _ async throws -> Response in
            struct Snapshot: Encodable { var accounts: [MicrosoftEmulatorState.Account]; var calendars: [MicrosoftEmulatorState.Calendar] }
            return try Self.encoded(Snapshot(accounts: await state.accounts, calendars: await state.calendars))
        }
    }

    static func body(_ req: Request) throws -> JSON {
        guard let body = try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer())) else { throw Abort(.badRequest, reason: "the body is not JSON") }
        return body
    }

    static func encoded<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: try encoder.encode(value)))
    }
}

/// Control calls answer Graph-shaped errors too, so a script sees the same reason a Graph call would give.
struct ControlErrors: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do { return try await next.respond(to: request) } catch let error as GraphError { return error.response() }
    }
}

extension MicrosoftEmulatorState {
    /// The account owning a calendar, for control calls that act as that person.
    func owner(ofCalendar id: String) throws(GraphError) -> Account {
        guard let calendar = calendars.first(where: { $0.id == id }), let account = account(email: calendar.owner) else { throw .notFound() }
        return account
    }

    public func controlCreate(calendarID: String, _ body: JSON) throws(GraphError) -> JSON {
        let account = try owner(ofCalendar: calendarID)
        let (event, _) = try createEvent(calendarID: calendarID, body)
        return Self.render(try resolve(event.id, for: account), view: EventView(expand: ExpandRequest(all: true)))
    }

    public func controlUpdate(eventID: String, _ body: JSON) throws(GraphError) -> JSON {
        let account = try owner(ofEvent: eventID)
        return Self.render(try updateEvent(eventID, patch: body, ifMatch: nil, for: account), view: EventView(expand: ExpandRequest(all: true)))
    }

    public func controlDelete(eventID: String) throws(GraphError) {
        try deleteEvent(eventID, ifMatch: nil, for: try owner(ofEvent: eventID))
    }

    func owner(ofEvent id: String) throws(GraphError) -> Account {
        let masterID = events[id] != nil ? id : Self.parseOccurrenceID(id)?.master ?? id
        guard let event = events[masterID] else { throw .notFound() }
        return try owner(ofCalendar: event.calendarID)
    }
}
