/// Lower-case hexadecimal for digests and ids, written from a table: `String(format: "%02x")` per byte was most of
/// the engine's own time in a full run (a content hash for every copy it indexes). The output is the same.
extension Sequence where Element == UInt8 {
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
