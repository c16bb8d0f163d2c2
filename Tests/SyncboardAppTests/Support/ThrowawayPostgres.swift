import Foundation

/// A PostgreSQL cluster of one test's own, in a temporary directory on a free port, that the test may stop the way a
/// host or a compose stack does (`pg_ctl stop -m fast` or `-m immediate`) and start again. The suite's shared cluster
/// (scripts/test-postgres) is never touched. As root, PostgreSQL's programs run as the `postgres` user.
final class ThrowawayPostgres: @unchecked Sendable {
    enum StopMode: String, Sendable { case fast, immediate }

    let port: Int
    let directory: URL
    private let bin: URL
    private var data: URL { directory.appendingPathComponent("data") }

    /// A superuser that every test database URL uses.
    var adminURL: String { url(database: "postgres") }
    func url(database: String) -> String { "postgres://syncboard:syncboard@127.0.0.1:\(port)/\(database)" }

    private init(port: Int, directory: URL, bin: URL) {
        self.port = port
        self.directory = directory
        self.bin = bin
    }

    /// Where initdb and pg_ctl are (the newest Debian server package, else PATH), or nil when not installed.
    static var binDirectory: URL? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(path)/pg_ctl") && FileManager.default.isExecutableFile(atPath: "\(path)/initdb") {
            return URL(fileURLWithPath: String(path))
        }
        return nil
    }

    /// Creates and starts a new cluster with a `syncboard` superuser.
    static func start() async throws -> ThrowawayPostgres {
        guard let bin = binDirectory else { throw TestSetupError("PostgreSQL's server programs (initdb, pg_ctl) are not installed") }
        await removeOrphans(bin: bin)
        let port = try ChildProcess.freePort()
        // Short: the server's Unix socket lives here too, and socket paths are limited to about 100 bytes.
        let directory = URL(fileURLWithPath: "/tmp/sb-pg-\(port)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "\(getpid())".write(to: directory.appendingPathComponent(ownerFile), atomically: true, encoding: .utf8)
        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        let cluster = ThrowawayPostgres(port: port, directory: directory, bin: bin)
        do {
            try await cluster.run("initdb", ["-D", cluster.data.path, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
            try await cluster.startServer()
            try await cluster.run("psql", ["-h", directory.path, "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-tAq", "-c",
                                           "CREATE ROLE syncboard LOGIN SUPERUSER PASSWORD 'syncboard'"])
        } catch {
            await cluster.destroy()
            throw error
        }
        return cluster
    }

    private static let ownerFile = "owner.pid"

    /// Clusters whose test process died without removing them (killed mid-run): stopped and removed.
    private static func removeOrphans(bin: URL) async {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in entries where name.hasPrefix("sb-pg-") {
            let directory = URL(fileURLWithPath: "/tmp/\(name)")
            guard let text = try? String(contentsOf: directory.appendingPathComponent(ownerFile), encoding: .utf8),
                  let owner = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            let orphan = ThrowawayPostgres(port: 0, directory: directory, bin: bin)
            await orphan.destroy()
        }
    }

    /// Starts the server (again) and waits until it accepts connections.
    func startServer() async throws {
        try await run("pg_ctl", ["-D", data.path, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                                 "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                                 "start"])
    }

    /// Stops the server the way an operator or a shutting-down host does, and waits until it is down.
    func stopServer(_ mode: StopMode) async throws {
        try await run("pg_ctl", ["-D", data.path, "-m", mode.rawValue, "-w", "-t", "60", "stop"])
    }

    /// Stops the server if it runs and removes the cluster.
    func destroy() async {
        try? await stopServer(.immediate)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one of PostgreSQL's programs to completion (as `postgres` when root), failing with its output.
    private func run(_ tool: String, _ arguments: [String]) async throws {
        let executable = bin.appendingPathComponent(tool).path
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let output = directory.appendingPathComponent("\(tool).out")
        let status = try await Self.spawnAndWait(command, output: output, timeout: .seconds(120))
        guard status == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw TestSetupError("\(tool) \(arguments.last ?? "") failed (\(status)): \(text)")
        }
    }

    /// posix_spawn and waitpid rather than Foundation's Process: Process learns that a child ended when a socket it
    /// hands the child closes, and the server that `pg_ctl start` leaves behind inherits that socket, so the start
    /// would never be seen to end. Here the child gets /dev/null and the output file as its standard streams, and
    /// nothing else: a server that kept the test process's other descriptors (the sockets by which Foundation sees
    /// other tests' children end, their pipes) made those tests wait for it and stalled the whole suite.
    private static func spawnAndWait(_ command: [String], output: URL, timeout: Duration) async throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard let closeFrom = closeFrom else {
            throw TestSetupError("this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later has it)")
        }
        closeFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)  // the server needs its signals; test threads block some
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw TestSetupError("could not start \(command[0]): error \(spawned)") }
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR { throw TestSetupError("lost track of \(command[0]): errno \(errno)") }
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                throw TestSetupError("\(command.joined(separator: " ")) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34): Swift's Glibc module does not declare it.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}
