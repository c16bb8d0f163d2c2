import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// An OAuth 2.0 token or revocation endpoint's call (RFC 6749 §4.1.3, §6; RFC 7009 §2.1): a form-encoded POST
/// whose whole answer arrives within `timeout`, traced as `<provider>.oauth POST <shape>`. The answer's status and
/// body are the caller's to read, since each provider words its errors its own way.
extension HTTPClient {
    /// Why no answer came: the deadline passed, or the connection failed (named by its type, never its message,
    /// which could carry the form).
    public struct FormPostFailure: Error, Sendable {
        public let reason: String
    }

    public func postForm(_ url: URL, _ fields: [String: String], timeout: Duration, tracing: ProviderTracing,
                         shape: String) async throws(FormPostFailure) -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncode(fields)))
        let span = tracing.start("oauth", method: "POST", shape: shape)
        var status: Int?
        defer { tracing.finish(span, status: status, failed: status != 200) }
        do {
            let (response, body) = try await executeCollecting(request, timeout: timeout.timeAmount, upTo: 1 << 20)
            status = Int(response.status.code)
            return (Int(response.status.code), Data(buffer: body))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw FormPostFailure(reason: "no complete answer within \(timeout)")
        } catch {
            throw FormPostFailure(reason: String(describing: type(of: error)))
        }
    }

    /// `application/x-www-form-urlencoded` with only unreserved characters left as they are, keys sorted.
    public static func formEncode(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.keys.sorted().map { key in
            "\(key)=\(fields[key]!.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
