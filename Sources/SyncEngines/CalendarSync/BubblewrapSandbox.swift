import Foundation

/// The command line that runs a program inside a bubblewrap (`bwrap`) sandbox: an empty root with read-only system
/// directories (programs, libraries, certificates, name resolution, time zones), the program itself, its run
/// directory as the only writable place, a private `/tmp`, its own PID, IPC, UTS and user namespaces (it sees no
/// other process and dies with its parent), no capabilities, and the host's network (CalendarSync must reach
/// Google). Nothing else of the host is visible: not Syncboard's data directory, key file, configuration, other
/// runs, nor any home directory.
public struct BubblewrapSandbox: Sendable, Hashable {
    /// The `bwrap` executable.
    public let bwrap: String
    /// More directories or files to show read-only (e.g. an interpreter outside /usr for a scripted stand-in).
    public var readOnlyPaths: [String]
    /// Paths to keep out of sight even when they lie inside a read-only path (Syncboard's data directory,
    /// database, `.env`): covered by an empty tmpfs (directories) or /dev/null (files).
    public var hiddenPaths: [String]

    public init(bwrap: String, readOnlyPaths: [String] = [], hiddenPaths: [String] = []) {
        self.bwrap = bwrap
        self.readOnlyPaths = readOnlyPaths
        self.hiddenPaths = hiddenPaths
    }

    /// Top-level system directories: bound read-only, or recreated as the symlinks they are on merged-/usr systems.
    static let systemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    /// Files and directories under /etc a program may read, bound read-only when they exist: certificates, name
    /// resolution, time zone, the dynamic linker's cache, and Debian's alternatives (targets of /usr/bin links).
    static let etcPaths = [
        "/etc/ssl", "/etc/pki", "/etc/ca-certificates", "/etc/ca-certificates.conf",
        "/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/services", "/etc/protocols",
        "/etc/localtime", "/etc/timezone", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
    ]

    /// `bwrap` and its arguments for running `executable arguments…` with `workspace` as working directory.
    public func arguments(executable: String, arguments: [String], workspace: URL) -> [String] {
        let manager = FileManager.default
        let executable = URL(fileURLWithPath: executable).standardizedFileURL.path  // a relative path means nothing inside
        var args = [
            "--unshare-all", "--share-net",  // user, pid, ipc, uts, cgroup namespaces; the network stays
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
        ]
        var visible: [String] = []  // real paths shown read-only, to decide what else must be bound or hidden
        for directory in Self.systemDirectories {
            if let target = try? manager.destinationOfSymbolicLink(atPath: directory) {
                args += ["--symlink", target, directory]
            } else if Self.isDirectory(directory) {
                args += ["--ro-bind", directory, directory]
                visible.append(Self.realPath(directory))
            }
        }
        for path in Self.etcPaths where manager.fileExists(atPath: path) {
            args += ["--ro-bind-try", path, path]
            visible.append(Self.realPath(path))
        }
        for path in readOnlyPaths {
            args += ["--ro-bind", path, path]  // not -try: a configured path that is missing fails loudly
            visible.append(Self.realPath(path))
        }
        var hidden: [String] = []
        for path in hiddenPaths.map(Self.realPath).sorted()  // parents first: what they cover needs nothing of its own
        where manager.fileExists(atPath: path) && Self.isInside(path, visible) && !Self.isInside(path, hidden) {
            args += Self.isDirectory(path) ? ["--tmpfs", path] : ["--ro-bind", "/dev/null", path]
            hidden.append(path)
        }
        // The workspace on an empty read-only tmpfs at its parent: no sibling run is visible, and nothing can be
        // written beside it (not even into the sandbox's copy of that directory).
        let parent = workspace.deletingLastPathComponent().path
        args += ["--tmpfs", parent, "--bind", workspace.path, workspace.path]
        // The program itself: only its file, never its folder (which may be somewhere private). Bound after the
        // workspace's parent, which may hold it too (both under /tmp, say) and would otherwise cover it.
        let real = Self.realPath(executable)
        func shown(_ path: String) -> Bool {
            Self.isInside(path, visible) && !Self.isInside(path, hidden) && !Self.isInside(path, [Self.realPath(parent)])
        }
        if !shown(real) { args += ["--ro-bind", real, real] }
        if executable != real && !shown(executable) { args += ["--ro-bind", real, executable] }
        args += ["--remount-ro", parent, "--chdir", workspace.path]
        for path in hidden where Self.isDirectory(path) { args += ["--remount-ro", path] }
        args += ["--remount-ro", "/"]  // the sandbox's own root too: only the workspace and the private /tmp are writable
        return args + [executable] + arguments
    }

    /// Finds bwrap: `configured` as given (nil when it is not an executable file), else `bwrap` on PATH.
    public static func locate(configured: String?, path: String?) -> String? {
        if let configured { return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/bwrap"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func isInside(_ path: String, _ roots: [String]) -> Bool {
        roots.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
