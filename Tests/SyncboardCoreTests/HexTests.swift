import Foundation
import SyncboardCore
import Testing

@Suite("Hexadecimal")
struct HexTests {
    @Test("every byte as two lower-case digits, the same as String(format: \"%02x\")")
    func everyByte() {
        let bytes = (0...255).map(UInt8.init)
        #expect(bytes.hexString == bytes.map { String(format: "%02x", $0) }.joined())
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
    }
}
