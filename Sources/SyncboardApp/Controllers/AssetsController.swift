import Vapor

/// Serves the stylesheet, script and icon compiled into the binary, with long-lived caching by version.
struct AssetsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let statics = routes.grouped("static")
        statics.get("syncboard.css") { _ in Self.asset(Stylesheet.css, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])) }
        statics.get("syncboard.js") { _ in Self.asset(ClientScript.js, type: HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])) }
        statics.get("favicon.svg") { _ in Self.asset(Favicon.svg, type: HTTPMediaType(type: "image", subType: "svg+xml")) }
    }

    static func asset(_ body: String, type: HTTPMediaType) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }
}
