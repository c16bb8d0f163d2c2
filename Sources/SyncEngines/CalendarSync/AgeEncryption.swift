import _CryptoExtras
import Crypto
import Foundation

/// age (https://age-encryption.org/v1) file encryption to a passphrase (scrypt recipient), binary format — what
/// CalendarSync expects of its auth storage. Built from swift-crypto: scrypt, HKDF-SHA256, HMAC-SHA256 and
/// ChaCha20-Poly1305, following the specification (header, MAC, STREAM payload of 64 KiB chunks).
public enum AgeEncryption {
    static let versionLine = "age-encryption.org/v1"
    static let scryptLabel = Array("age-encryption.org/v1/scrypt".utf8)
    static let chunkSize = 64 * 1024

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notAgeFile
        case unsupportedRecipient
        case wrongPassphrase
        case workFactorTooHigh(Int)
        case headerMACMismatch
        case corruptPayload

        public var description: String {
            switch self {
            case .notAgeFile: return "not an age file"
            case .unsupportedRecipient: return "the file is not encrypted to a passphrase (scrypt) alone"
            case .wrongPassphrase: return "the passphrase does not decrypt the file"
            case .workFactorTooHigh(let log2N): return "the scrypt work factor 2^\(log2N) is too high"
            case .headerMACMismatch: return "the header was altered"
            case .corruptPayload: return "the encrypted payload is damaged or truncated"
            }
        }
    }

    /// Encrypts `plaintext` to `passphrase`. age's own default work factor is 2^18; a random per-run passphrase of
    /// 32 bytes needs no stretching, so callers may pass a lower one (10 is age's minimum for interoperability).
    public static func encrypt(_ plaintext: Data, passphrase: String, workFactor log2N: Int = 18) throws -> Data {
        var random = SystemRandomNumberGenerator()
        let fileKey = SymmetricKey(data: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) })
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let wrapKey = try scryptKey(passphrase: passphrase, salt: salt, log2N: log2N)
        let wrapped = try ChaChaPoly.seal(fileKey.withUnsafeBytes { Data($0) }, using: wrapKey, nonce: ChaChaPoly.Nonce(data: Data(count: 12)))
        let body = wrapped.ciphertext + wrapped.tag

        var header = "\(versionLine)\n-> scrypt \(base64(Data(salt))) \(log2N)\n"
        header += wrapLines(base64(body)) + "---"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(header.utf8), using: headerKey(fileKey))
        var output = Data((header + " " + base64(Data(mac)) + "\n").utf8)

        let nonce = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) })
        output += nonce
        output += try stream(plaintext, key: payloadKey(fileKey, nonce: nonce), seal: true)
        return output
    }

    public static func decrypt(_ file: Data, passphrase: String, maxWorkFactor: Int = 22) throws -> Data {
        guard let headerEnd = file.range(of: Data("\n--- ".utf8)) else { throw Failure.notAgeFile }
        guard let macEnd = file[headerEnd.upperBound...].firstIndex(of: UInt8(ascii: "\n")) else { throw Failure.notAgeFile }
        let headerText = String(decoding: file[file.startIndex..<headerEnd.lowerBound], as: UTF8.self) + "\n---"
        let lines = headerText.components(separatedBy: "\n")
        guard lines.first == versionLine else { throw Failure.notAgeFile }
        let stanzas = lines.dropFirst().filter { $0.hasPrefix("-> ") }
        guard stanzas.count == 1, let stanza = stanzas.first else { throw Failure.unsupportedRecipient }
        let arguments = stanza.dropFirst(3).split(separator: " ")
        guard arguments.count == 3, arguments[0] == "scrypt", let salt = unbase64(String(arguments[1])), salt.count == 16,
              let log2N = Int(arguments[2]), log2N > 0 else { throw Failure.unsupportedRecipient }
        guard log2N <= maxWorkFactor else { throw Failure.workFactorTooHigh(log2N) }
        let bodyLines = lines.drop { !$0.hasPrefix("-> ") }.dropFirst().prefix { $0 != "---" }
        guard let body = unbase64(bodyLines.joined()), body.count == 32 else { throw Failure.notAgeFile }

        let wrapKey = try scryptKey(passphrase: passphrase, salt: Array(salt), log2N: log2N)
        let fileKeyData: Data
        do {
            fileKeyData = try ChaChaPoly.open(
                ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: Data(count: 12)), ciphertext: body.prefix(16), tag: body.suffix(16)),
                using: wrapKey)
        } catch {
            throw Failure.wrongPassphrase
        }
        let fileKey = SymmetricKey(data: fileKeyData)
        guard let mac = unbase64(String(decoding: file[headerEnd.upperBound..<macEnd], as: UTF8.self)),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(headerText.utf8), using: headerKey(fileKey))
        else { throw Failure.headerMACMismatch }

        let payload = file[file.index(after: macEnd)...]
        guard payload.count >= 16 + 16 else { throw Failure.corruptPayload }
        let nonce = Data(payload.prefix(16))
        return try stream(Data(payload.dropFirst(16)), key: payloadKey(fileKey, nonce: nonce), seal: false)
    }

    /// Whether data looks like a binary age file (what CalendarSync checks before decrypting).
    public static func isAgeFile(_ data: Data) -> Bool { data.starts(with: Data("age-encryption.org".utf8)) }

    // MARK: - Pieces of the format

    static func scryptKey(passphrase: String, salt: [UInt8], log2N: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: scryptLabel + salt, outputByteCount: 32,
                                 rounds: 1 << log2N, blockSize: 8, parallelism: 1, maxMemory: 128 * (1 << log2N) * 8 * 2 + (1 << 20))
    }

    static func headerKey(_ fileKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: Data(), info: Data("header".utf8), outputByteCount: 32)
    }

    static func payloadKey(_ fileKey: SymmetricKey, nonce: Data) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Data("payload".utf8), outputByteCount: 32)
    }

    /// STREAM: 64 KiB chunks, each sealed with a nonce of an 11-byte big-endian counter and a last-chunk flag.
    static func stream(_ input: Data, key: SymmetricKey, seal: Bool) throws -> Data {
        let size = seal ? chunkSize : chunkSize + 16
        var output = Data()
        var counter: UInt64 = 0
        var offset = input.startIndex
        repeat {
            let end = min(offset + size, input.endIndex)
            let isLast = end == input.endIndex
            var nonce = Data(count: 3)
            withUnsafeBytes(of: counter.bigEndian) { nonce.append(contentsOf: $0) }
            nonce.append(isLast ? 1 : 0)
            let chunk = input[offset..<end]
            if seal {
                let box = try ChaChaPoly.seal(chunk, using: key, nonce: ChaChaPoly.Nonce(data: nonce))
                output += box.ciphertext + box.tag
            } else {
                guard chunk.count >= 16 else { throw Failure.corruptPayload }
                do {
                    let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: chunk.dropLast(16), tag: chunk.suffix(16))
                    output += try ChaChaPoly.open(box, using: key)
                } catch {
                    throw Failure.corruptPayload
                }
            }
            counter += 1
            offset = end
        } while offset < input.endIndex
        return output
    }

    static func base64(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func unbase64(_ text: String) -> Data? {
        var padded = text
        while padded.count % 4 != 0 { padded.append("=") }
        return Data(base64Encoded: padded)
    }

    /// age wraps stanza bodies at 64 columns; a body whose length is a multiple of 64 ends with an empty line.
    static func wrapLines(_ text: String) -> String {
        var lines: [String] = []
        var rest = Substring(text)
        while rest.count >= 64 {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        lines.append(String(rest))
        return lines.joined(separator: "\n") + "\n"
    }
}
