import Foundation
import Testing
@testable import SyncEngines

/// age interoperability, checked against an independent implementation: pyrage (Rust's rage, from PyPI; installed
/// by scripts/install-test-deps).
@Suite("age encryption to a passphrase")
struct AgeEncryptionTests {
    /// Runs Python with pyrage; `mode` is encrypt or decrypt, input and output go through files.
    /// Waits by polling, not `waitUntilExit`: a blocking wait held a thread of the suite's two-thread cooperative pool
    /// for as long as Python took to start on a loaded machine. Its errors go to a file, read once it is gone.
    static func pyrage(_ mode: String, _ input: Data, passphrase: String) async throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("age-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("in"), outputFile = directory.appendingPathComponent("out")
        try input.write(to: inputFile)
        let script = """
        import sys
        try:
            import pyrage
        except ImportError:
            sys.exit("pyrage is not installed: pip install -r scripts/test-requirements.txt")
        data = open(sys.argv[2], "rb").read()
        out = pyrage.passphrase.encrypt(data, sys.argv[4]) if sys.argv[1] == "encrypt" else pyrage.passphrase.decrypt(data, sys.argv[4])
        open(sys.argv[3], "wb").write(out)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, mode, inputFile.path, outputFile.path, passphrase]
        let errorFile = directory.appendingPathComponent("errors")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }
        process.standardError = errors
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw AgeTestError(message: "pyrage \(mode) failed: \(message)") }
        return try Data(contentsOf: outputFile)
    }

    struct AgeTestError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    static let yaml = Data("calendars:\n- calendarid: a@example.com\n  oauth2:\n    accesstoken: ya29.x\n".utf8)

    @Test("pyrage decrypts what Syncboard encrypts (binary format, scrypt recipient)")
    func swiftToPyrage() async throws {
        let encrypted = try AgeEncryption.encrypt(Self.yaml, passphrase: "correct horse", workFactor: 10)
        #expect(AgeEncryption.isAgeFile(encrypted))
        #expect(String(decoding: encrypted.prefix(40), as: UTF8.self).hasPrefix("age-encryption.org/v1\n-> scrypt "))
        #expect(encrypted.range(of: Data("ya29".utf8)) == nil)
        #expect(try await Self.pyrage("decrypt", encrypted, passphrase: "correct horse") == Self.yaml)
    }

    @Test("Syncboard decrypts what pyrage encrypts, including several 64 KiB chunks")
    func pyrageToSwift() async throws {
        let big = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for plaintext in [Self.yaml, big, Data()] {
            let encrypted = try await Self.pyrage("encrypt", plaintext, passphrase: "p4ss")
            #expect(try AgeEncryption.decrypt(encrypted, passphrase: "p4ss") == plaintext)
        }
        let roundTrip = try AgeEncryption.encrypt(big, passphrase: "p4ss", workFactor: 10)
        #expect(try await Self.pyrage("decrypt", roundTrip, passphrase: "p4ss") == big)
    }

    @Test("a wrong passphrase, a changed header and a truncated payload are refused")
    func failures() throws {
        let encrypted = try AgeEncryption.encrypt(Self.yaml, passphrase: "right", workFactor: 10)
        #expect(throws: AgeEncryption.Failure.wrongPassphrase) { try AgeEncryption.decrypt(encrypted, passphrase: "wrong") }
        #expect(throws: AgeEncryption.Failure.corruptPayload) { try AgeEncryption.decrypt(encrypted.dropLast(5), passphrase: "right") }
        var altered = encrypted
        let position = try #require(altered.range(of: Data(" 10\n".utf8)))
        altered.replaceSubrange(position, with: Data(" 11\n".utf8))
        #expect(throws: (any Error).self) { try AgeEncryption.decrypt(altered, passphrase: "right") }
        #expect(throws: AgeEncryption.Failure.notAgeFile) { try AgeEncryption.decrypt(Self.yaml, passphrase: "right") }
    }
}
