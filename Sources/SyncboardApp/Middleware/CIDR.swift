#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of IP addresses in CIDR notation (`10.0.0.0/8`, `::1/128`): parsing and membership, nothing else.
///
/// A bare address is the block of that one address (`/32` or `/128`). Bits past the prefix are ignored
/// (`10.1.2.3/8` is `10.0.0.0/8`), as routers and proxies read them.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, how a
    /// dual-stack socket reports an IPv4 peer) is its IPv4 address, so that it matches IPv4 blocks and logs as one.
    public struct Address: Hashable, Sendable, CustomStringConvertible {
        public let bytes: [UInt8]

        /// Parses the textual form (`192.0.2.1`, `2001:db8::1`); nil for anything else (no port, brackets or zone).
        public init?(_ text: some StringProtocol) {
            guard let bytes = Self.parse(String(text)) else { return nil }
            self.init(normalizing: bytes)
        }

        init(normalizing bytes: [UInt8]) {
            self.bytes = Self.isIPv4Mapped(bytes) ? Array(bytes[12...]) : bytes
        }

        public var isIPv4: Bool { bytes.count == 4 }

        /// The address as 16 bytes (an IPv4 address mapped into `::ffff:0:0/96`).
        var ipv6Bytes: [UInt8] { isIPv4 ? Self.mappedPrefix + bytes : bytes }

        /// The canonical text (`2001:db8::1`, lower case, zeros compressed).
        public var description: String {
            var buffer = [CChar](repeating: 0, count: 64)
            let family = isIPv4 ? AF_INET : AF_INET6
            let written = bytes.withUnsafeBytes { raw in
                inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
            }
            guard written != nil else { return "invalid" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]

        static func isIPv4Mapped(_ bytes: [UInt8]) -> Bool {
            bytes.count == 16 && bytes.starts(with: mappedPrefix)
        }

        /// The raw bytes of an address in text, without normalizing a mapped IPv6 address.
        static func parse(_ text: String) -> [UInt8]? {
            guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
            if text.contains(":") {
                var address = [UInt8](repeating: 0, count: 16)
                return inet_pton(AF_INET6, text, &address) == 1 ? address : nil
            }
            var address = [UInt8](repeating: 0, count: 4)
            return inet_pton(AF_INET, text, &address) == 1 ? address : nil
        }
    }

    /// The first address of the block (bits past the prefix cleared).
    public let network: Address
    public let prefixLength: Int

    /// Parses `ADDRESS/LENGTH` or a bare address; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = String(text).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard var bytes = Address.parse(String(parts[0])) else { return nil }
        var length = bytes.count * 8
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let parsed = Int(digits), parsed <= length
            else { return nil }
            length = parsed
        }
        // `::ffff:10.0.0.0/104` is the IPv4 block 10.0.0.0/8; a mapped block shorter than /96 stays IPv6.
        if Address.isIPv4Mapped(bytes), length >= 96 {
            bytes = Array(bytes[12...])
            length -= 96
        }
        for index in bytes.indices {
            let kept = min(8, max(0, length - index * 8))
            bytes[index] &= kept == 8 ? 0xff : ~(0xff >> kept)
        }
        network = Address(rawBytes: bytes)
        prefixLength = length
    }

    /// Whether `address` lies in this block (an IPv4 address also as its mapped IPv6 form).
    public func contains(_ address: Address) -> Bool {
        let candidate: [UInt8]
        switch (network.isIPv4, address.isIPv4) {
        case (true, true), (false, false): candidate = address.bytes
        case (false, true): candidate = address.ipv6Bytes
        case (true, false): return false
        }
        var remaining = prefixLength
        for (mine, theirs) in zip(network.bytes, candidate) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> remaining)
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

extension CIDR.Address {
    /// Keeps the bytes as they are: a block's network may be a mapped IPv6 prefix shorter than /96.
    fileprivate init(rawBytes: [UInt8]) { self.bytes = rawBytes }
}
