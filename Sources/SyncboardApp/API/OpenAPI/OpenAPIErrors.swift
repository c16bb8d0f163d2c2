import OpenAPIKit30

/// The error shape every answer shares (`SyncboardErrorMiddleware.APIError`) and the error answers, each a component
/// response that operations refer to by status.
extension OpenAPIDocument {
    /// The error answers, each a component response with the `Error` body.
    struct ErrorResponse {
        let name: String
        let description: String
        var headers: OpenAPI.Header.Map? = nil
    }

    static let errorResponses: [Int: ErrorResponse] = [
        400: .init(name: "BadRequest", description: "The request could not be read (malformed JSON, a missing or mistyped field, a bad or undecodable query parameter, an If-Match that is not an entity tag); `message` names the field"),
        401: .init(name: "Unauthenticated", description: "No credential, or one that was not accepted (the same answer whatever was wrong)"),
        403: .init(name: "Forbidden", description: "A write with a read-only token, or a browser request without the session's CSRF token"),
        404: .init(name: "NotFound", description: "No such thing for this user (another user's things are not found either)"),
        409: .init(name: "Conflict", description: "Not possible in the current state (e.g. the job is already running, the run already finished)"),
        412: .init(name: "PreconditionFailed", description: "If-Match named no ETag the job has now (it changed since it was read): read it again and retry",
                   headers: ["ETag": .b(.init(schema: .string, description: "The job's current version", required: true))]),
        413: .init(name: "ContentTooLarge", description: "The body is larger than the API takes (1 MB for a job)"),
        415: .init(name: "UnsupportedMediaType", description: "The body is not JSON (send Content-Type: application/json)"),
        422: .init(name: "ValidationFailed", description: "Not saved: `fields` names each problem"),
        429: .init(name: "TooManyRequests", description: "Too many requests by this token or session (or failed token attempts from this address); retry after Retry-After seconds",
                   headers: ["Retry-After": .b(.init(schema: .integer(minimum: (1, exclusive: false)), description: "Seconds until a request may succeed", required: true))]),
        502: .init(name: "BadGateway", description: "Google answered with an error"),
        503: .init(name: "ServiceUnavailable", description: "Sign-in with Google is not configured on this server"),
    ]

    /// Errors every operation can answer: no or a refused credential, a write with a read-only token or without the
    /// session's CSRF token, too many requests.
    static let commonErrors = [401, 403, 429]

    static var errorSchema: JSONSchema {
        object(required: ["error", "message"], example: errorExample, [
            "error": .string(description: "A stable code: bad_request, unauthenticated, forbidden, not_found, conflict, precondition_failed, unsupported_media_type, validation_failed, rate_limited, …"),
            "message": .string(description: "For a person, naming the field when one is at fault"),
            "requestID": string,
            "fields": array(object(required: ["field", "message"], ["field": string, "message": string])),
        ])
    }

    static var errorComponentResponses: OrderedDictionary<OpenAPI.ComponentKey, OpenAPI.Response> {
        var responses = OrderedDictionary<OpenAPI.ComponentKey, OpenAPI.Response>()
        for code in errorResponses.keys.sorted() {
            let error = errorResponses[code]!
            responses[.init(stringLiteral: error.name)] = OpenAPI.Response(description: error.description, headers: error.headers,
                                                                         content: [.json: .init(schema: ref("Error"))])
        }
        return responses
    }
}
