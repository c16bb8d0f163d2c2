import AsyncHTTPClient

/// An HTTP client for a test's body, shut down however the body ends. Redirects are not followed unless asked, so
/// tests of OAuth flows can read them.
public enum TestHTTPClient {
    public static func with<T>(followingRedirects: Bool = false, _ body: (HTTPClient) async throws -> T) async throws -> T {
        let configuration = HTTPClient.Configuration(redirectConfiguration: followingRedirects ? .follow(max: 5, allowCycles: false) : .disallow)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(http)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
