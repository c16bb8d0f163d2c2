import Foundation

/// Which addresses Syncboard calls on a user's say-so (webhooks, published calendar feeds): the pure part of the
/// address policy, shared so both refuse the same ranges. Loopback, private, link-local (cloud metadata at
/// 169.254.169.254), carrier-grade NAT, multicast and reserved addresses are "non-public".
public enum NetworkAddress {
    /// The addresses a host name resolves to (numeric hosts as themselves); empty when it does not resolve.
    public static func resolve(_ host: String) async -> [String] {
        await Task.detached {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [String]() }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }.value
    }

    /// True for an address Syncboard must not call unless the operator allows private addresses; an address that
    /// cannot be read counts as non-public.
    public static func isNonPublic(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return isNonPublicIPv4(b)
        }
        var v6 = in6_addr()
        let bare = address.split(separator: "%").first.map(String.init) ?? address
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return true }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b.allSatisfy({ $0 == 0 }) { return true }                                      // ::
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }                 // ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {           // ::ffff:a.b.c.d
            return isNonPublicIPv4(Array(b[12..<16]))
        }
        if b[0] & 0xfe == 0xfc { return true }                                              // fc00::/7 unique local
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return true }                              // fe80::/10 link-local
        if b[0] == 0xff { return true }                                                     // multicast
        return false
    }

    private static func isNonPublicIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true          // carrier-grade NAT
        case (169, 254): return true               // link-local (cloud metadata)
        case (172, 16...31): return true
        case (192, 168): return true
        case (192, 0) where b[2] == 0: return true
        case (198, 18...19): return true
        case (224...255, _): return true           // multicast, reserved, broadcast
        default: return false
        }
    }
}
