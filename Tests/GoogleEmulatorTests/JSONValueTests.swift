import Foundation
import Testing
@testable import GoogleEmulator

/// The emulator writes its answers with `JSONValue.data()`, not JSONEncoder: what it writes must be JSON that reads
/// back as the same value, keys sorted and slashes unescaped as the encoder wrote them.
@Suite("JSONValue's writer")
struct JSONValueTests {
    static let awkward: JSONValue = [
        "summary": "Quote \" backslash \\ slash / tab \t newline \n return \r bell \u{07} nul \u{00} unit \u{1F} é 日本 🎉",
        "numbers": [0, -1, 42, 1.5, -0.25, 1e20, 123456789012345, 0.1],
        "nested": ["b": true, "a": false, "c": .null, "empty": [:], "list": []],
        "zebra": "last", "Apple": "capital first",
    ]

    @Test("what it writes parses back to the same value, the same as JSONEncoder's output does")
    func roundTrips() throws {
        let written = Self.awkward.data()
        #expect(try JSONValue.parse(written) == Self.awkward)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try JSONValue.parse(encoder.encode(Self.awkward)) == JSONValue.parse(written))
        // Foundation's parser reads it too, and agrees on the strings.
        let object = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        #expect(object["summary"] as? String == Self.awkward["summary"]?.string)
    }

    @Test("keys come sorted, slashes stay unescaped, control characters are escaped, whole numbers have no fraction")
    func form() throws {
        let text = String(decoding: JSONValue(dictionaryLiteral: ("b", 1), ("a", "x/y\u{01}"), ("c", 2.5)).data(), as: UTF8.self)
        #expect(text == #"{"a":"x/y\u0001","b":1,"c":2.5}"#)
        #expect(String(decoding: JSONValue.number(.infinity).data(), as: UTF8.self) == "null")
    }
}
