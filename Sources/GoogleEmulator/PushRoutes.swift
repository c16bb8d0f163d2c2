import Foundation
import Vapor

/// events.watch and channels.stop, as Google answers them (Calendar API v3 "Push notifications").
extension CalendarRoutes {
    struct WatchRequest: Decodable {
        var id: String?
        var token: String?
        var type: String?
        var address: String?
        var expiration: FlexibleNumber?
        var params: [String: String]?
    }

    /// Google's int64 fields travel as JSON strings; clients send either.
    struct FlexibleNumber: Decodable {
        var value: Double
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) { value = number; return }
            guard let number = Double(try container.decode(String.self)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number")
            }
            value = number
        }
    }

    func watch(req: Request) async -> Response {
        let caller: (email: String, calendarID: String, role: String)
        switch await authorize(req, write: false) { case .success(let value): caller = value; case .failure(let error): return error.response }
        guard let body = try? req.content.decode(WatchRequest.self) else { return Self.badRequest("Parse Error", reason: "parseError") }
        let host = req.headers.first(name: .host).map { "http://\($0)" } ?? ""
        do {
            let channel = try await state.watch(calendarID: caller.calendarID, id: body.id, token: body.token, type: body.type, address: body.address,
                                                ttl: body.params?["ttl"], expiration: body.expiration?.value, resourceBase: host)
            var answer: JSONValue = ["kind": "api#channel", "id": .string(channel.id), "resourceId": .string(channel.resourceID),
                                     "resourceUri": .string(channel.resourceURI),
                                     "expiration": .string(String(Int64(channel.expiration.timeIntervalSince1970 * 1000)))]
            if let token = body.token { answer["token"] = .string(token) }
            return Self.json(answer)
        } catch {
            return Self.channelError(error)
        }
    }

    func stopChannel(req: Request) async -> Response {
        guard let token = req.headers.bearerAuthorization?.token, await state.bearer(token) != nil else { return Self.unauthenticated }
        struct Body: Decodable { var id: String?; var resourceId: String? }
        guard let body = try? req.content.decode(Body.self) else { return Self.badRequest("Parse Error", reason: "parseError") }
        do {
            try await state.stopChannel(id: body.id, resourceID: body.resourceId)
            return Response(status: .noContent)
        } catch {
            return Self.channelError(error)
        }
    }

    static func channelError(_ failure: ChannelFailure) -> Response {
        switch failure {
        case .invalid(let message, let reason): return badRequest(message, reason: reason)
        case .notFound(let message): return error(404, message, reason: "notFound", status: "NOT_FOUND")
        }
    }
}

/// The control API's side of push notifications (see `ControlRoutes` and docs/google-emulator.md):
///
///   GET    /emulator/channels                        → {"items": [channels, tokens left out]}
///   POST   /emulator/channels/{id}/expire            the channel sends nothing more, as when it expires
///   PUT    /emulator/notification-faults             {"drop"?, "duplicate"?, "delayMilliseconds"?}
///   GET    /emulator/notifications                   → {"items": [{channelID, state, messageNumber, status, dropped, at}]}
///   DELETE /emulator/notifications                   clears that log
struct ChannelControlRoutes: RouteCollection {
    let state: EmulatorState

    func boot(routes: any RoutesBuilder) throws {
        let control = routes.grouped("emulator")
        control.get("channels") { _ async throws -> Response in
            struct List: Encodable { var items: [WatchChannel] }
            return try ControlRoutes.encoded(List(items: await state.watchChannels()))
        }
        control.post("channels", ":id", "expire") { req async throws -> HTTPStatus in
            try await ControlRoutes.control { try await state.expireChannel(id: req.parameters.get("id") ?? "") }
            return .noContent
        }
        control.put("notification-faults") { req async throws -> HTTPStatus in
            let faults = try req.content.decode(NotificationFaults.self)
            guard faults.drop >= 0, faults.duplicate >= 0, (0...60_000).contains(faults.delayMilliseconds) else {
                throw Abort(.badRequest, reason: "drop and duplicate must be counts; delayMilliseconds from 0 to 60000")
            }
            await state.setNotificationFaults(faults)
            return .noContent
        }
        control.get("notifications") { _ async throws -> Response in
            struct List: Encodable { var items: [DeliveryRecord] }
            return try ControlRoutes.encoded(List(items: await state.notificationDeliveries()))
        }
        control.delete("notifications") { _ async -> HTTPStatus in
            await state.clearNotificationDeliveries()
            return .noContent
        }
    }
}
