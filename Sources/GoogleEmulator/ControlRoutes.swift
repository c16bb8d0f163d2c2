import Foundation
import Vapor

/// The control API tests and scripts use over HTTP (everything also exists as a method on `EmulatorState`):
///
///   POST   /emulator/accounts                         {"email", "name"?, "subject"?}
///   POST   /emulator/calendars                        {"id", "summary", "timeZone"?, "backgroundColor"?, "roles": {email: role}}
///   DELETE /emulator/calendars/{id}
///   PUT    /emulator/calendars/{id}/roles/{email}     {"role": "owner"|"writer"|"reader"|"freeBusyReader"|null}
///   GET    /emulator/calendars/{id}/events            → {"items": [every stored event, cancelled ones included]}
///   POST   /emulator/calendars/{id}/events            an event resource → the stored event
///   PATCH  /emulator/calendars/{id}/events/{eventId}  a merge patch → the stored event (an instance id changes that occurrence)
///   DELETE /emulator/calendars/{id}/events/{eventId}
///   POST   /emulator/calendars/{id}/invalidate-sync-tokens
///   POST   /emulator/revoke                           {"email"}: revokes every refresh token of the account
///   POST   /emulator/expire-access-tokens
///   POST   /emulator/faults                           {"status", "reason"?, "count"?, "fraction"?, "method"?, "pathPrefix"?, "account"?, "seed"?}
///   PUT    /emulator/latency                          {"milliseconds"}
///   DELETE /emulator/faults                           clears faults and latency
///   GET    /emulator/requests?pathPrefix=&method=     → {"count", "requests": [{method, path, query, status, at}]}
///   DELETE /emulator/requests
///   GET    /emulator/state                            → {"accounts", "calendars"} (no tokens)
struct ControlRoutes: RouteCollection {
    let state: EmulatorState

    func boot(routes: any RoutesBuilder) throws {
        let control = routes.grouped("emulator")
        control.post("accounts") { req async throws -> Response in
            struct Body: Decodable { var email: String; var name: String?; var subject: String? }
            let body = try req.content.decode(Body.self)
            let account = EmulatorState.Account(subject: body.subject ?? String(UInt64.random(in: 100_000_000_000...999_999_999_999)),
                                                email: body.email, name: body.name ?? body.email)
            await state.addAccount(account)
            return try Self.encoded(account, status: .created)
        }
        control.post("calendars") { req async throws -> Response in
            let calendar = try req.content.decode(EmulatorState.Calendar.self)
            await state.addCalendar(calendar)
            return try Self.encoded(calendar, status: .created)
        }
        control.delete("calendars", ":id") { req async throws -> HTTPStatus in
            await state.removeCalendar(id: try Self.calendarID(req))
            return .noContent
        }
        control.put("calendars", ":id", "roles", ":email") { req async throws -> HTTPStatus in
            struct Body: Decodable { var role: String? }
            try await Self.control { try await state.setRole(calendarID: try Self.calendarID(req), email: req.parameters.get("email") ?? "",
                                                             role: try req.content.decode(Body.self).role) }
            return .noContent
        }
        control.get("calendars", ":id", "events") { req async throws -> Response in
            CalendarRoutes.json(["items": .array(await state.storedEvents(calendarID: try Self.calendarID(req)))])
        }
        control.post("calendars", ":id", "events") { req async throws -> Response in
            guard let body = CalendarRoutes.body(req) else { throw Abort(.badRequest, reason: "the body is not JSON") }
            let calendarID = try Self.calendarID(req)
            return CalendarRoutes.json(try await Self.control { try await state.addEvent(calendarID: calendarID, body) }, status: .created)
        }
        control.patch("calendars", ":id", "events", ":eventID") { req async throws -> Response in
            guard let body = CalendarRoutes.body(req) else { throw Abort(.badRequest, reason: "the body is not JSON") }
            let calendarID = try Self.calendarID(req)
            return CalendarRoutes.json(try await Self.control {
                try await state.changeEvent(calendarID: calendarID, eventID: req.parameters.get("eventID") ?? "", patch: body)
            })
        }
        control.delete("calendars", ":id", "events", ":eventID") { req async throws -> HTTPStatus in
            let calendarID = try Self.calendarID(req)
            try await Self.control { try await state.removeEvent(calendarID: calendarID, eventID: req.parameters.get("eventID") ?? "") }
            return .noContent
        }
        control.post("calendars", ":id", "invalidate-sync-tokens") { req async throws -> HTTPStatus in
            await state.invalidateSyncTokens(calendarID: try Self.calendarID(req))
            return .noContent
        }
        control.post("revoke") { req async throws -> HTTPStatus in
            struct Body: Decodable { var email: String }
            await state.revokeTokens(ofEmail: try req.content.decode(Body.self).email)
            return .noContent
        }
        control.post("expire-access-tokens") { _ async -> HTTPStatus in
            await state.expireAccessTokens()
            return .noContent
        }
        control.post("faults") { req async throws -> HTTPStatus in
            struct Body: Decodable { var seed: UInt64? }
            let fault = try req.content.decode(Fault.self)
            guard (400...599).contains(fault.status) else { throw Abort(.badRequest, reason: "status must be an HTTP error status (400-599)") }
            if let fraction = fault.fraction, !(0...1).contains(fraction) { throw Abort(.badRequest, reason: "fraction must be between 0 and 1") }
            await state.injectFault(fault, seed: try req.content.decode(Body.self).seed)
            return .noContent
        }
        control.put("latency") { req async throws -> HTTPStatus in
            struct Body: Decodable { var milliseconds: Int }
            let milliseconds = try req.content.decode(Body.self).milliseconds
            guard (0...60_000).contains(milliseconds) else { throw Abort(.badRequest, reason: "milliseconds must be from 0 to 60000") }
            await state.setLatency(.milliseconds(milliseconds))
            return .noContent
        }
        control.delete("faults") { _ async -> HTTPStatus in
            await state.clearFaults()
            await state.setLatency(.zero)
            return .noContent
        }
        control.get("requests") { req async throws -> Response in
            struct Log: Encodable { var count: Int; var requests: [LoggedRequest] }
            let requests = await state.requests(pathPrefix: req.query[String.self, at: "pathPrefix"], method: req.query[String.self, at: "method"])
            return try Self.encoded(Log(count: requests.count, requests: requests))
        }
        control.delete("requests") { _ async -> HTTPStatus in
            await state.clearRequestLog()
            return .noContent
        }
        control.get("state") { _ async throws -> Response in
            struct Snapshot: Encodable { var accounts: [EmulatorState.Account]; var calendars: [EmulatorState.Calendar] }
            return try Self.encoded(Snapshot(accounts: await state.accounts, calendars: await state.calendars))
        }
    }

    static func calendarID(_ req: Request) throws -> String {
        guard let id = req.parameters.get("id") else { throw Abort(.badRequest, reason: "no calendar id") }
        return id.removingPercentEncoding ?? id
    }

    /// Runs a control call, turning its errors into 400/404 answers with the reason.
    static func control<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as EmulatorControlError {
            switch error {
            case .invalid(let message): throw Abort(.badRequest, reason: message)
            case .notFound(let message): throw Abort(.notFound, reason: message)
            }
        }
    }

    static func encoded<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: try encoder.encode(value)))
    }
}
