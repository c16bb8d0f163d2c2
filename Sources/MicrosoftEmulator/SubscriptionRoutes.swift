import Foundation
import Vapor

/// `/v1.0/subscriptions` (api-reference/v1.0/api/subscription-post-subscriptions.md, subscription-update.md,
/// subscription-delete.md, subscription-get.md).
struct SubscriptionRoutes: RouteCollection {
    let state: MicrosoftEmulatorState

    func boot(routes: any RoutesBuilder) throws {
        let subscriptions = routes.grouped("subscriptions")
        subscriptions.post { req async throws -> Response in
            guard let account = req.storage[GraphCaller.self], let body = try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer())) else {
                throw GraphError.invalid("The request body is not JSON.")
            }
            let clientID = await state.clientID(ofAccessToken: req.headers.bearerAuthorization?.token ?? "") ?? ""
            return try await state.createSubscription(body, account: account, clientID: clientID).json().response(status: .created)
        }
        subscriptions.get(":id") { req async throws -> Response in
            try await state.subscription(id: req.parameters.get("id") ?? "", account: try Self.caller(req)).json().response()
        }
        subscriptions.patch(":id") { req async throws -> Response in
            guard let body = try? JSON.parse(Data(buffer: req.body.data ?? ByteBuffer())) else { throw GraphError.invalid("The request body is not JSON.") }
            return try await state.renewSubscription(id: req.parameters.get("id") ?? "", body, account: try Self.caller(req)).json().response()
        }
        subscriptions.delete(":id") { req async throws -> Response in
            try await state.deleteSubscription(id: req.parameters.get("id") ?? "", account: try Self.caller(req))
            return Response(status: .noContent)
        }
    }

    static func caller(_ req: Request) throws -> MicrosoftEmulatorState.Account {
        guard let account = req.storage[GraphCaller.self] else { throw GraphError(401, "InvalidAuthenticationToken", "Access token is empty.") }
        return account
    }
}

extension MicrosoftEmulatorState {
    func clientID(ofAccessToken token: String) -> String? { accessTokens[token]?.clientID }
}
