import Vapor

/// Turns errors into answers a person (or a program) can act on: a JSON body under /api, an HTML page elsewhere.
/// Unexpected errors are logged with the request id and shown only as "something went wrong", never their details.
struct SyncboardErrorMiddleware: AsyncMiddleware {
    struct APIError: Content {
        let error: String
        let message: String
        var fields: [FieldMessage]?
        var requestID: String?
    }

    struct FieldMessage: Content {
        let field: String
        let message: String
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return makeResponse(for: error, request: request)
        }
    }

    func makeResponse(for error: any Error, request: Request) -> Response {
        let status: HTTPResponseStatus
        let message: String
        var fields: [FieldMessage]?
        var headers = HTTPHeaders()
        switch error {
        case let failure as ValidationFailure:
            status = .unprocessableEntity
            message = failure.reason
            fields = failure.fields
        case let abort as any AbortError:
            status = abort.status
            message = abort.reason
            headers = abort.headers  // e.g. Retry-After, WWW-Authenticate
        case let decoding as DecodingError:
            status = .badRequest
            message = "The request body could not be read: \(Self.describe(decoding))"
        default:
            status = .internalServerError
            message = "Something went wrong on our side. It has been logged; the request id is \(request.id)."
            // The type and, for database errors, the server's message: never the bound values (they may be tokens).
            request.logger.error("unhandled error", metadata: [
                "error_type": .string(String(describing: type(of: error))),
                "error": .string(DatabaseErrorDescription.describe(error)),
            ])
        }
        if status.code >= 500, error is any AbortError {
            request.logger.error("request failed", metadata: ["status": .stringConvertible(status.code)])
        }

        if request.isAPI || request.headers.accept.first?.mediaType == .json {
            let body = APIError(error: Self.code(for: status), message: message, fields: fields, requestID: request.id)
            let response = Response(status: status, headers: headers)
            try? response.content.encode(body, as: .json)
            return response
        }
        let page = ErrorPage(status: status, message: message, signedIn: request.auth.has(User.self))
        return HTMLResponse.make(page.render(), status: status)
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 401: return "unauthenticated"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 409: return "conflict"
        case 412: return "precondition_failed"
        case 405: return "method_not_allowed"
        case 413: return "content_too_large"
        case 415: return "unsupported_media_type"
        case 422: return "validation_failed"
        case 429: return "rate_limited"
        default: return status.code >= 500 ? "internal_error" : "error"
        }
    }

    /// Names the field a decoding error is about, without echoing the payload.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the body" : "field \"\(path)\""
        }
        switch error {
        case .keyNotFound(let key, let context):
            let prefix = path(context) == "the body" ? "" : "\(path(context))."
            return "field \"\(prefix)\(key.stringValue)\" is required"
        case .typeMismatch(let type, let context): return "\(path(context)) must be of type \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) must be a \(type), not null"
        case .dataCorrupted(let context): return "\(path(context)) is not valid JSON"
        @unknown default: return "it is malformed"
        }
    }
}

/// A validation error that names its fields: 422 with `fields` in JSON, messages next to the fields in forms.
struct ValidationFailure: Error {
    let reason: String
    let fields: [SyncboardErrorMiddleware.FieldMessage]
}
