import Foundation
import Vapor

/// Graph's error body (concepts/errors.md): {"error": {"code", "message", "innerError": {"date", "request-id",
/// "client-request-id"}}}.
public struct GraphError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String
    public var retryAfter: Int?

    public init(_ status: Int, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    static func notFound() -> GraphError {
        GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    }

    static func invalid(_ message: String) -> GraphError { GraphError(400, "ErrorInvalidRequest", message) }

    func response(clientRequestID: String? = nil) -> Response {
        let requestID = UUID().uuidString.lowercased()
        let body: JSON = ["error": ["code": .string(code), "message": .string(message),
                                    "innerError": ["date": .string(GraphTime.offset(Date())), "request-id": .string(requestID),
                                                   "client-request-id": .string(clientRequestID ?? requestID)]]]
        var headers: HTTPHeaders = ["Content-Type": "application/json", "request-id": requestID]
        if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        return Response(status: HTTPResponseStatus(statusCode: status), headers: headers, body: .init(data: body.data()))
    }
}

extension JSON {
    func response(status: HTTPStatus = .ok, headers extra: [(String, String)] = []) -> Response {
        var headers: HTTPHeaders = ["Content-Type": "application/json; odata.metadata=minimal; charset=utf-8"]
        for (name, value) in extra { headers.add(name: name, value: value) }
        return Response(status: status, headers: headers, body: .init(data: data()))
    }
}
