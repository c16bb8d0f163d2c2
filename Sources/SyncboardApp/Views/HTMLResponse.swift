import Vapor

/// An HTML page as a response, with the headers every page gets.
enum HTMLResponse {
    static func make(_ html: String, status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        // Everything is served by Syncboard itself: no CDN, no inline script.
        headers.replaceOrAdd(name: "Content-Security-Policy",
                             value: "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        return Response(status: status, headers: headers, body: .init(string: html))
    }
}
