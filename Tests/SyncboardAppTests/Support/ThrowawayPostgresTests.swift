import Foundation
import Testing

/// The cluster a test starts must not hold the test process's descriptors: Foundation's Process sees a child end
/// when a socket it handed the child closes, so a server that inherited such sockets made other tests wait for it,
/// and the whole suite stalled (issue 21's test had to be switched off until this held).
@Suite("Throwaway PostgreSQL")
struct ThrowawayPostgresTests {
    @Test("the server holds none of the test process's pipes or sockets")
    func inheritsNothing() async throws {
        guard ThrowawayPostgres.binDirectory != nil else { return }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0, "a pipe the server must not inherit")
        defer { close(ends[0]); close(ends[1]) }
        let ours = Self.openObjects(of: "self")
        #expect(ours.contains { $0.hasPrefix("pipe:") })
        let cluster = try await ThrowawayPostgres.start()
        let pidText = try? String(contentsOf: cluster.directory.appendingPathComponent("data/postmaster.pid"), encoding: .utf8)
        let theirs = Self.openObjects(of: pidText?.split(separator: "\n").first.map(String.init) ?? "none")
        await cluster.destroy()
        #expect(!theirs.isEmpty, "the server's descriptors were readable")
        #expect(ours.intersection(theirs).isEmpty, "shared: \(ours.intersection(theirs))")
    }

    /// What a process's descriptors point at, for pipes and sockets (their inodes name them system-wide).
    static func openObjects(of process: String) -> Set<String> {
        let directory = "/proc/\(process)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\($0)") }
            .filter { $0.hasPrefix("pipe:") || $0.hasPrefix("socket:") })
    }
}
