import Foundation

#if canImport(Glibc)
  import Glibc
  private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
  import Darwin
  private let streamSocket = SOCK_STREAM
#endif

/// A fixture that could not be set up or did not come up in time; the description says why,
/// with the server's own output where there is one.
public struct FixtureError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The helpers the server fixtures share: finding programs, starting them with their output in
/// files, bounded waits, loopback ports.
enum FixtureProcess {
  /// The first of `candidates` that is an executable file, else `name` looked up on PATH.
  static func executable(_ name: String, candidates: [String] = []) -> String? {
    let fileManager = FileManager.default
    if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0) }) { return found }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { fileManager.isExecutableFile(atPath: $0) }
  }

  /// The name of the user this process runs as (the user an ssh URL logs in as).
  static var userName: String {
    guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "root" }
    return String(cString: name)
  }

  /// Starts `executable` with `args` and `environment`, standard input empty and standard output
  /// and error appended to `log` (created if missing), so a chatty child never blocks on a pipe.
  static func start(_ executable: String, _ args: [String], environment: [String: String], log: String) throws
    -> FixtureChild
  {
    try FixtureChild(executable, args, environment: environment, log: log)
  }

  /// Runs `executable` to completion (at most `timeout` seconds, then SIGKILL) and throws with its
  /// output if it fails.
  static func run(
    _ executable: String, _ args: [String], environment: [String: String]? = nil, timeout: TimeInterval = 30
  ) throws {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    let child = try start(executable, args, environment: environment ?? ProcessInfo.processInfo.environment, log: log)
    if !waitUntil(timeout: timeout, { !child.isRunning }) {
      child.stop(grace: 0)
      throw FixtureError("\(executable) \(args.joined(separator: " ")) did not finish in \(Int(timeout)) s")
    }
    guard child.exitedCleanly else {
      throw FixtureError("\(executable) \(args.joined(separator: " ")) failed: \(contents(of: log))")
    }
  }

  /// Polls `condition` every 20 ms until it holds (true) or `timeout` seconds pass (false).
  static func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      if condition() { return true }
      if Date() >= deadline { return false }
      Thread.sleep(forTimeInterval: 0.02)
    }
  }

  /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
  static func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { throw FixtureError("socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw FixtureError("bind(127.0.0.1:0) failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw FixtureError("getsockname failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Whether something accepts a TCP connection on 127.0.0.1:`port`.
  static func accepts(port: Int) -> Bool {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  /// The text of `path`, or "" if it cannot be read.
  static func contents(of path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "" }
    return String(decoding: data, as: UTF8.self)
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    #if !canImport(Glibc)
      address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
    #endif
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
  }
}

/// A child process started with posix_spawn and reaped here. Not Foundation's `Process`: its
/// monitor thread learns of an exit from a socket the child inherits, and blocks in waitpid, for
/// every Process of the test run, when a daemon closes that socket at start (sshd closes every
/// descriptor above 2). The child also starts with no signal blocked and the usual dispositions.
final class FixtureChild: @unchecked Sendable {
  let pid: pid_t
  private let lock = NSLock()
  private var status: Int32?

  init(_ executable: String, _ args: [String], environment: [String: String], log: String) throws {
    #if canImport(Glibc)
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
    #else
      var actions: posix_spawn_file_actions_t?
      var attributes: posix_spawnattr_t?
    #endif
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = ([executable] + args).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard rc == 0 else { throw FixtureError("cannot start \(executable): errno \(rc)") }
    self.pid = pid
  }

  /// Whether the child has not exited yet (reaping it if it has).
  var isRunning: Bool { reap(blocking: false) == nil }

  /// Whether the child exited with status 0 (false while it runs).
  var exitedCleanly: Bool {
    guard let status = reap(blocking: false) else { return false }
    return status & 0x7f == 0 && (status >> 8) & 0xff == 0
  }

  /// Sends `signal` unless the child was already reaped.
  func send(_ signal: Int32) {
    lock.lock()
    defer { lock.unlock() }
    if status == nil { kill(pid, signal) }
  }

  /// SIGTERM, up to `grace` seconds to exit, then SIGKILL; returns once the child is reaped.
  func stop(grace: TimeInterval = 2) {
    guard isRunning else { return }
    if grace > 0 {
      send(SIGTERM)
      if FixtureProcess.waitUntil(timeout: grace, { !isRunning }) { return }
    }
    send(SIGKILL)
    _ = reap(blocking: true)
  }

  /// The wait status once the child has exited, else nil (blocking: waits for it).
  private func reap(blocking: Bool) -> Int32? {
    lock.lock()
    defer { lock.unlock() }
    if let status { return status }
    var raw: Int32 = 0
    var result: pid_t
    repeat { result = waitpid(pid, &raw, blocking ? 0 : WNOHANG) } while result < 0 && errno == EINTR
    if result == pid { status = raw }
    // Reaped elsewhere (cannot happen here, but never loop on it).
    if result < 0 { status = -1 }
    return status
  }
}
