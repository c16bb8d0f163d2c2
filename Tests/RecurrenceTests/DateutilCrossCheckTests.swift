import Foundation
import Testing
@testable import Recurrence

/// Property test: random recurrence sets expanded here and by python-dateutil (Fixtures/expand.py, with zoneinfo)
/// must give exactly the same occurrence starts. A fixed list of seeds always runs; SYNCBOARD_RECURRENCE_SEEDS=N
/// adds N more. Without python3 and python-dateutil the test is skipped, except under CI=true, where it fails
/// (scripts/install-test-deps installs them from scripts/test-requirements.txt).
@Suite("Cross-check against python-dateutil")
struct DateutilCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/expand.py")
    static let environment = ProcessInfo.processInfo.environment
    static let underCI = environment["CI"] == "true"
    static let referenceAvailable = run(["-c", "import dateutil.rrule, zoneinfo"])?.status == 0

    static let fixedSeeds: [UInt64] = Array(1...60)
    static var seeds: [UInt64] {
        let extra = Int(environment["SYNCBOARD_RECURRENCE_SEEDS"] ?? "") ?? 0
        return fixedSeeds + (0..<UInt64(max(0, extra))).map { 10_000 + $0 }
    }

    @Test("random rules, starts and zones expand exactly as dateutil expands them",
          .enabled(if: referenceAvailable || underCI, "python3 with python-dateutil is not installed (scripts/install-test-deps); cross-check skipped"))
    func crossCheck() throws {
        guard Self.referenceAvailable else {
            Issue.record("CI=true but python3 with python-dateutil is missing: run scripts/install-test-deps")
            return
        }
        let cases = Self.seeds.map(RandomRecurrenceCase.init(seed:))
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("recurrence-crosscheck-\(UUID().uuidString).json")
        try JSONEncoder().encode(cases).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        guard let output = Self.run([Self.script.path, input.path]), output.status == 0 else {
            Issue.record("expand.py failed: \(Self.run([Self.script.path, input.path])?.stderr ?? "could not start python3")")
            return
        }
        let results = try JSONDecoder().decode([String: Reference].self, from: output.stdout)
        var agreed = 0, tooSlow = 0
        for item in cases {
            guard let reference = results[item.id] else { Issue.record("no result for \(item.id)"); continue }
            if reference.timeout == true { tooSlow += 1; continue }
            let ours: [String]
            do { ours = try item.swiftOccurrences() } catch {
                Issue.record("\(item.id): Swift refused \(Self.describe(item)): \(error)")
                continue
            }
            guard let theirs = reference.occurrences else {
                Issue.record("\(item.id): dateutil failed on \(Self.describe(item)): \(reference.error ?? "?")")
                continue
            }
            if ours == theirs {
                agreed += 1
                // And a limit takes the first occurrences of the same list, however early each rule stops.
                for limit in [1, 3, ours.count / 2 + 1] where try item.swiftOccurrences(limit: limit) != Array(ours.prefix(limit)) {
                    Issue.record("\(item.id): limit \(limit) is not the first \(limit) occurrences for \(Self.describe(item))")
                }
            } else {
                let index = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, theirs.count)
                Issue.record("""
                    \(item.id) diverges at occurrence \(index): Swift \(ours.dropFirst(index).prefix(3)) vs dateutil \(theirs.dropFirst(index).prefix(3)) \
                    (Swift \(ours.count), dateutil \(theirs.count) in all) for \(Self.describe(item))
                    """)
            }
        }
        print("Recurrence cross-check: \(cases.count) seeds, \(agreed) identical, \(tooSlow) skipped (dateutil over its time limit on a rule that never matches)")
        // A timeout is dateutil walking to year 9999 on an impossible rule; a few are expected, many would hide bugs.
        #expect(tooSlow * 10 <= cases.count)
    }

    struct Reference: Decodable {
        var occurrences: [String]?
        var timeout: Bool?
        var error: String?
    }

    static func describe(_ item: RandomRecurrenceCase) -> String {
        "DTSTART\(item.tzid.map { ";TZID=" + $0 } ?? ";VALUE=DATE"):\(item.dtstart) RRULE \(item.rrules) RDATE \(item.rdates) EXDATE \(item.exdates) window [\(item.from), \(item.to))"
    }

    static func run(_ arguments: [String]) -> (status: Int32, stdout: Data, stderr: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return nil }
        // Read both before waiting, so a full pipe cannot stall the child.
        let errorData = LockedData()
        let reader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { Thread.sleep(forTimeInterval: 0.01) }
        return (process.terminationStatus, data, String(decoding: errorData.value, as: UTF8.self))
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        func set(_ value: Data) { lock.withLock { data = value } }
        var isSet: Bool { lock.withLock { data != nil } }
        var value: Data { lock.withLock { data ?? Data() } }
    }
}
