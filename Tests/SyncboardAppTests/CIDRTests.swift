import Foundation
import Testing
@testable import SyncboardApp

@Suite("CIDR blocks and the client address behind trusted proxies")
struct CIDRTests {
    static func address(_ text: String) throws -> CIDR.Address { try #require(CIDR.Address(text), "\(text)") }
    static func block(_ text: String) throws -> CIDR { try #require(CIDR(text), "\(text)") }

    @Test("IPv4 and IPv6 blocks parse, clear the bits past the prefix, and print canonically")
    func parsing() throws {
        #expect(try Self.block("10.0.0.0/8").description == "10.0.0.0/8")
        #expect(try Self.block("10.1.2.3/8").description == "10.0.0.0/8")
        #expect(try Self.block("192.168.1.77/23").description == "192.168.0.0/23")
        #expect(try Self.block("127.0.0.1").description == "127.0.0.1/32")
        #expect(try Self.block("0.0.0.0/0").description == "0.0.0.0/0")
        #expect(try Self.block("::1/128").description == "::1/128")
        #expect(try Self.block("::1").description == "::1/128")
        #expect(try Self.block("2001:DB8:0:0:1::ff/48").description == "2001:db8::/48")
        #expect(try Self.block("fd00::/8").prefixLength == 8)
        // An IPv4-mapped block is the IPv4 block.
        #expect(try Self.block("::ffff:10.0.0.0/104").description == "10.0.0.0/8")
        #expect(try Self.address("::ffff:192.0.2.1").description == "192.0.2.1")
        #expect(try Self.address("2001:0db8:0000::0001").description == "2001:db8::1")
    }

    @Test("anything else is not a block", arguments: [
        "", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0/8",
        "10.0.0.256/32", "256.0.0.0", "localhost", "10.0.0.0/ 8", " 10.0.0.0/8", "1.2.3.4:80", "[::1]/128", "fe80::1%eth0/64",
        "10.0.0.0/0008", "::g/64", "1:2:3:4:5:6:7:8:9/64",
    ])
    func invalid(text: String) {
        #expect(CIDR(text) == nil, "\(text)")
    }

    @Test("membership: prefixes at and inside byte boundaries, both families, mapped IPv4")
    func membership() throws {
        let eight = try Self.block("10.0.0.0/8")
        #expect(eight.contains(try Self.address("10.255.1.2")))
        #expect(!eight.contains(try Self.address("11.0.0.0")))
        #expect(!eight.contains(try Self.address("9.255.255.255")))
        let odd = try Self.block("192.168.0.0/23")
        #expect(odd.contains(try Self.address("192.168.1.255")))
        #expect(!odd.contains(try Self.address("192.168.2.0")))
        let host = try Self.block("127.0.0.1/32")
        #expect(host.contains(try Self.address("127.0.0.1")))
        #expect(!host.contains(try Self.address("127.0.0.2")))
        #expect(host.contains(try Self.address("::ffff:127.0.0.1")), "a dual-stack socket's form of an IPv4 peer")
        #expect(!host.contains(try Self.address("::1")))
        #expect(try Self.block("0.0.0.0/0").contains(try Self.address("203.0.113.9")))
        #expect(!(try Self.block("0.0.0.0/0").contains(try Self.address("2001:db8::1"))))

        let v6 = try Self.block("2001:db8:abcd::/47")  // 2001:db8:abcc::/47: abcc and abcd
        #expect(v6.description == "2001:db8:abcc::/47")
        #expect(v6.contains(try Self.address("2001:db8:abcd:1::1")))
        #expect(v6.contains(try Self.address("2001:db8:abcc:ffff::1")))
        #expect(!v6.contains(try Self.address("2001:db8:abce::1")))
        #expect(!v6.contains(try Self.address("2001:db8:abcb::1")))
        #expect(!v6.contains(try Self.address("10.0.0.1")))
        #expect(try Self.block("::1/128").contains(try Self.address("::1")))
        // An IPv6 block holds IPv4 peers in their mapped form (`::/0` is everyone).
        #expect(try Self.block("::/0").contains(try Self.address("198.51.100.1")))
    }

    static let proxies = [CIDR("127.0.0.1/32")!, CIDR("10.0.0.0/8")!, CIDR("::1/128")!]

    static func resolve(peer: String, xff: [String] = [], forwarded: [String] = []) throws -> String? {
        ClientAddress.resolve(peer: try address(peer), forwardedFor: xff, forwarded: forwarded, trusting: proxies)?.description
    }

    @Test("the chain is walked from the right through trusted proxies only")
    func chain() throws {
        // An untrusted peer's headers are not read at all.
        #expect(try Self.resolve(peer: "203.0.113.5", xff: ["198.51.100.1"]) == "203.0.113.5")
        #expect(try Self.resolve(peer: "203.0.113.5", forwarded: ["for=198.51.100.1"]) == "203.0.113.5")
        // A trusted peer: the right-most address that is not a proxy.
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1, 10.0.0.2"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "::ffff:127.0.0.1", xff: ["198.51.100.1"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "::1", xff: ["2001:db8::7"]) == "2001:db8::7")
        // What the client wrote itself, left of the first untrusted hop, is never believed.
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["10.0.0.9, 198.51.100.1"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["1.1.1.1", "198.51.100.1, 10.0.0.2"]) == "198.51.100.1", "several header lines are one list")
        // Only proxies all the way: the left-most.
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["10.0.0.3, 10.0.0.2"]) == "10.0.0.3")
        // Not an address: the hop that wrote it is the client.
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1, unknown"]) == "127.0.0.1")
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1, unknown, 10.0.0.2"]) == "10.0.0.2")
        #expect(try Self.resolve(peer: "127.0.0.1", xff: [""]) == "127.0.0.1")
        // Ports as some proxies write them.
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1:5123"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["[2001:db8::7]:443"]) == "2001:db8::7")
    }

    @Test("Forwarded (RFC 7239): for= of each element, quoted, bracketed, with a port; disagreeing headers are not believed")
    func forwarded() throws {
        #expect(try Self.resolve(peer: "127.0.0.1", forwarded: ["for=198.51.100.1;proto=https"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", forwarded: [#"For="[2001:db8:cafe::17]:4711", for=10.0.0.2"#]) == "2001:db8:cafe::17")
        #expect(try Self.resolve(peer: "127.0.0.1", forwarded: [#"for=192.0.2.60;proto=http;by="x,y", for="198.51.100.1:80""#]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", forwarded: ["for=10.0.0.9, for=198.51.100.1"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", forwarded: ["for=198.51.100.1, proto=https"]) == "127.0.0.1", "an element without for=")
        #expect(try Self.resolve(peer: "127.0.0.1", forwarded: ["for=_hidden"]) == "127.0.0.1")
        // Both headers: believed when they agree, else the peer.
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1"], forwarded: ["for=198.51.100.1"]) == "198.51.100.1")
        #expect(try Self.resolve(peer: "127.0.0.1", xff: ["198.51.100.1"], forwarded: ["for=203.0.113.66"]) == "127.0.0.1")
    }

    @Test("SYNCBOARD_TRUSTED_PROXIES: a list of CIDRs, none by default; a bad entry is an error naming the variable, not the value")
    func configuration() throws {
        #expect(try AppConfiguration.load(from: EnvironmentReader(environment: [:])).trustedProxies.isEmpty)
        let configured = try AppConfiguration.load(from: EnvironmentReader(environment: [
            "SYNCBOARD_TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.0/8,::1/128,",
        ]))
        #expect(configured.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"])
        for bad in ["10.0.0.0/33", "127.0.0.1/32,proxy.internal", "::1/128,10.0.0.0/8,10.0.0.0/x"] {
            do {
                _ = try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_TRUSTED_PROXIES": bad]))
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.variable == "SYNCBOARD_TRUSTED_PROXIES")
                #expect(error.description.hasPrefix("SYNCBOARD_TRUSTED_PROXIES: entry "))
                #expect(!error.description.contains("\n"))
                #expect(!error.description.contains("proxy.internal") && !error.description.contains("/x"))
            }
        }
    }

    @Test("a bad SYNCBOARD_TRUSTED_PROXIES stops serve before it listens, with one line naming the variable")
    func stopsServe() async throws {
        let directory = try TestApp.temporaryDirectory()
        let result = try await ChildProcess.run(["serve"], environment: ["SYNCBOARD_TRUSTED_PROXIES": "10.0.0.0/8,10.0.0.0/64"], directory: directory)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("syncboard: configuration error: SYNCBOARD_TRUSTED_PROXIES: entry 2 is not"), "\(result.stderr)")
    }
}
