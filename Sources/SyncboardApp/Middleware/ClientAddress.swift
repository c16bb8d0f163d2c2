import Vapor

/// Who sent a request: the one client address that per-address limits and the request log use.
///
/// `X-Forwarded-For` and `Forwarded` (RFC 7239) can be written by anyone, so they are believed only when the TCP
/// peer is a trusted proxy (`SYNCBOARD_TRUSTED_PROXIES`). Proxies append the address they saw to the right, so the
/// chain is walked from the right, through trusted proxies only: the first address that is not one is the client.
/// Entries left of it are whatever the client claimed and are never read.
enum ClientAddress {
    /// The client address for a request from `peer` carrying the given header values.
    ///
    /// When both headers are present and point at different clients, neither is believed (the peer is the answer):
    /// a proxy writes one of them, and a client could have sent the other to pass as someone else.
    static func resolve(peer: CIDR.Address?, forwardedFor: [String], forwarded: [String], trusting proxies: [CIDR]) -> CIDR.Address? {
        guard let peer else { return nil }
        guard isTrusted(peer, proxies) else { return peer }
        let chains = [forwardedFor.isEmpty ? nil : forwardedForChain(forwardedFor),
                      forwarded.isEmpty ? nil : forwardedChain(forwarded)].compactMap { $0 }
        let candidates = Set(chains.map { walk($0, from: peer, trusting: proxies) })
        guard candidates.count == 1, let client = candidates.first else { return peer }
        return client
    }

    /// From the right: each entry was written by the trusted hop to its right. An entry that is not an address
    /// (`unknown`, an obfuscated name, garbage) ends the walk at the hop that wrote it.
    static func walk(_ chain: [CIDR.Address?], from peer: CIDR.Address, trusting proxies: [CIDR]) -> CIDR.Address {
        var client = peer
        for entry in chain.reversed() {
            guard let entry else { return client }
            client = entry
            if !isTrusted(entry, proxies) { return entry }
        }
        return client
    }

    static func isTrusted(_ address: CIDR.Address, _ proxies: [CIDR]) -> Bool {
        proxies.contains { $0.contains(address) }
    }

    /// `X-Forwarded-For: client, proxy1, proxy2` (several header lines are one list, in order).
    static func forwardedForChain(_ values: [String]) -> [CIDR.Address?] {
        values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { node($0) }
    }

    /// The `for=` of each element of `Forwarded: for=192.0.2.1;proto=https, for="[2001:db8::1]:4711"`; an element
    /// without one is not an address.
    static func forwardedChain(_ values: [String]) -> [CIDR.Address?] {
        values.flatMap { splitOutsideQuotes($0, on: ",") }.map { element in
            let pairs = splitOutsideQuotes(element, on: ";").map { $0.split(separator: "=", maxSplits: 1) }
            guard let pair = pairs.first(where: { $0.count == 2 && $0[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" })
            else { return nil }
            return node(unquote(pair[1].trimmingCharacters(in: .whitespaces)))
        }
    }

    /// An address as proxies write it: bare, or with a port (`192.0.2.1:80`, `[2001:db8::1]:80`, `[2001:db8::1]`).
    static func node(_ text: some StringProtocol) -> CIDR.Address? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return nil }
            return CIDR.Address(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
        }
        if let address = CIDR.Address(trimmed) { return address }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].allSatisfy(\.isNumber) else { return nil }
        return CIDR.Address(parts[0]).flatMap { $0.isIPv4 ? $0 : nil }
    }

    /// Splits on `separator` outside quoted strings.
    private static func splitOutsideQuotes(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped { escaped = false } else if quoted && character == "\\" { escaped = true } else if character == "\"" { quoted.toggle() }
            if character == separator && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    /// The content of an RFC 7230 quoted-string, or the text itself when it is a token.
    private static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if !escaped && character == "\\" { escaped = true; continue }
            escaped = false
            result.append(character)
        }
        return result
    }
}

extension Request {
    private struct ClientAddressKey: StorageKey {
        struct Value: Sendable { let address: CIDR.Address? }
    }

    /// The client's address: the TCP peer, or what a trusted proxy says the client was (see `ClientAddress`).
    /// Nil only when there is no peer (in-memory tests). Worked out once per request.
    var clientAddress: CIDR.Address? {
        if let resolved = storage[ClientAddressKey.self] { return resolved.address }
        let address = ClientAddress.resolve(
            peer: remoteAddress?.ipAddress.flatMap { CIDR.Address($0) },
            forwardedFor: headers[.xForwardedFor],
            forwarded: headers[.forwarded],
            trusting: application.syncboard.configuration.trustedProxies)
        storage[ClientAddressKey.self] = .init(address: address)
        return address
    }

    /// `clientAddress` as text for keys and logs: "unknown" when there is none.
    var clientAddressText: String { clientAddress?.description ?? "unknown" }
}
