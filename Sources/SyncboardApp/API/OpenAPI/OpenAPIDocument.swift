import Foundation
import OpenAPIKit30
import SyncboardCore

/// The OpenAPI 3.0 description of `/api/v1`, served at `/api/v1/openapi.json`: the truth about the API. A test
/// checks that its paths and methods are exactly the API's routes; `scripts/api-conformance` validates it with
/// openapi-spec-validator and runs schemathesis (every check, stateful through the `links`) against a live server.
///
/// Built as OpenAPIKit values (docs/api.md says why): the document is typed, every enum comes from its Swift type's
/// `allCases`, and the schemas of steps and cadences are generated from the same catalogue and rules the server
/// validates with. `OpenAPIDocumentTests` ties the enums and the answers' fields to the DTOs.
enum OpenAPIDocument {
    static var document: OpenAPI.Document {
        var paths = OpenAPI.PathItem.Map()
        for (path, item) in self.paths.adding(notificationPaths) {
            paths[OpenAPI.Path(rawValue: path)] = .b(item)
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_0_3,
            info: .init(title: "Syncboard API", description: description, version: SyncboardVersion.current),
            servers: [.init(urlTemplate: URLTemplate(rawValue: "/api/v1")!)],
            paths: paths,
            components: components,
            security: [[.component(named: "bearer"): []], [.component(named: "session"): []]],
            tags: ["jobs", "runs", "accounts", "catalog", "notifications"])
    }

    static let description = """
        Sync jobs between Google calendars. Scripts authenticate with a personal access token (create one on \
        the API tokens page): `Authorization: Bearer sbp_…`. A browser page may instead use its session \
        cookie, with the session's CSRF token in `X-CSRF-Token` on writes. Errors are JSON \
        `{error, message, fields?, requestID?}`; `fields` names each field a 422 is about. Jobs carry an \
        `ETag`: send it back as `If-Match` on PUT and DELETE to be told (412) when someone else changed the job \
        meanwhile (an If-Match that is not an entity tag is a 400). Lists come a page at a time: send the previous \
        page's `nextCursor`, an opaque string, as `cursor`. \
        Each token and session may make SYNCBOARD_API_RATE_LIMIT requests a minute (default 600); past \
        it the answer is 429 with `Retry-After`.
        """

    static var schemas: OrderedDictionary<String, JSONSchema> {
        var schemas: OrderedDictionary<String, JSONSchema> = [
            "Transformer": stepSchema(.transformer), "Filter": stepSchema(.filter), "Window": window,
            "JobInput": jobInput, "Job": job, "JobPage": jobPage, "Run": run, "RunLeg": runLeg, "RunPage": runPage,
            "LogPage": logPage, "LogEvent": logEvent, "RunRequest": runRequest, "Calendar": calendar,
            "Account": account, "Error": errorSchema, "Catalog": catalog,
        ]
        schemas = schemas.adding(cadenceSchemas)
        schemas = schemas.adding(notificationSchemas)
        return schemas
    }

    static var components: OpenAPI.Components {
        var keyed = OrderedDictionary<OpenAPI.ComponentKey, JSONSchema>()
        for (name, schema) in schemas { keyed[.init(stringLiteral: name)] = schema }
        return OpenAPI.Components(
            schemas: keyed,
            responses: errorComponentResponses,
            securitySchemes: [
                "bearer": .http(scheme: "bearer", bearerFormat: "sbp_…",
                                description: "A personal access token from the API tokens page (read-only tokens get 403 on writes)"),
                "session": .apiKey(name: SessionStore.cookieName, location: .cookie,
                                   description: "The browser session; writes also need the X-CSRF-Token header"),
            ])
    }

    static func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(document)
    }
}
