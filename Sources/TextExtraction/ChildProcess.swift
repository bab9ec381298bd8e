internal import CSpawn

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process run to its end on one thread with POSIX calls only (fork and exec in
/// `CSpawn`, `poll`, `waitpid`), with a deadline, a cap on what it may print, an optional limit
/// on its memory, and a life no longer than Casebook's.
///
/// Foundation's `Process` would do, but it is in swift-corelibs-foundation only, and any use of
/// it links all of Foundation, CoreFoundation and ICU into the static `casebook` binary, which
/// costs every process start about 3 ms. Its watchdog and stderr reader also needed two Dispatch
/// threads; one `poll` loop that reads both pipes and watches the clock needs none.
package struct ChildProcess {
  /// How the child ended.
  package enum Termination: Equatable, Sendable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it (`SIGKILL` after a deadline or an overflow).
    case signalled(Int32)
    /// Something else reaped it (only possible when `SIGCHLD` is ignored, which Casebook never
    /// does), so how it ended is not known.
    case unknown
  }

  /// What a run gave.
  package struct Output: Sendable {
    package var termination: Termination
    /// All it printed, unless it overflowed (then the first `outputLimit` bytes and a little more).
    package var stdout: [UInt8]
    /// The first `stderrLimit` bytes of its standard error: enough for a message.
    package var stderr: [UInt8]
    /// It was still running at the deadline and was killed.
    package var timedOut: Bool
    /// It printed more than `outputLimit` bytes and was killed.
    package var overflowed: Bool
    /// Why its output could not be waited for (`poll` failed), when it could not: it was then
    /// killed, and `termination` alone (`SIGKILL`) would make that look like the child's doing.
    package var failure: String? = nil
  }

  /// The child could not be started; `message` is the system's (`POSIX.errorText`).
  package struct SpawnError: Error, Sendable {
    package var message: String

    init(code: Int32) { message = POSIX.errorText(code) }
  }

  /// How much of standard error is kept. The rest is read and dropped, so that a child that
  /// writes a lot of warnings never blocks on a full pipe.
  static let stderrLimit = 2000

  /// Runs `executable` (a path; PATH is not searched) with `arguments`, standard input on
  /// `/dev/null` and the environment of this process. Kills it with `SIGKILL` when it is still
  /// running after `timeLimit` or has printed more than `outputLimit` bytes. A negative limit
  /// is no time at all; one beyond `longestLimit` is taken as `longestLimit`. With `memoryLimit`,
  /// its address space is limited to that many bytes (`RLIMIT_AS`): an allocation past it fails.
  /// The child runs on the calling thread's watch: it is killed if that thread ends first.
  package static func run(
    _ executable: String, arguments: [String], timeLimit: Duration, outputLimit: Int, memoryLimit: Int? = nil
  ) throws(SpawnError) -> Output {
    let deadline = ContinuousClock.now.advanced(by: min(timeLimit, longestLimit))
    let (pid, stdout, stderr) = try start(executable, arguments: arguments, memoryLimit: memoryLimit)
    return collect(pid, stdout: stdout, stderr: stderr, deadline: deadline, outputLimit: outputLimit)
  }

  // MARK: - Starting

  /// Held from making the pipes until the child has started. `pipe2` is not visible to Swift on
  /// glibc, so a pipe is close-on-exec only a moment after it is made; a child that another run
  /// started in that moment would inherit it and hold it open (no end-of-file for this run)
  /// until that child ended. Foundation's `Process` closes every inherited descriptor itself.
  nonisolated(unsafe) private static let spawning: UnsafeMutablePointer<pthread_mutex_t> = {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
    return mutex
  }()

  /// Starts the child with its standard output and error on new pipes, and returns their read
  /// ends.
  private static func start(_ executable: String, arguments: [String], memoryLimit: Int?) throws(SpawnError)
    -> (pid: pid_t, stdout: Int32, stderr: Int32)
  {
    pthread_mutex_lock(spawning)
    defer { pthread_mutex_unlock(spawning) }
    let out = try makePipe()
    let err: (read: Int32, write: Int32)
    do { err = try makePipe() } catch {
      close(out.read)
      close(out.write)
      throw error
    }
    let pid: pid_t
    do {
      pid = try spawn(executable, arguments: arguments, stdout: out.write, stderr: err.write, memoryLimit: memoryLimit)
    } catch {
      for fd in [out.read, out.write, err.read, err.write] { close(fd) }
      throw error
    }
    // The write ends belong to the child now: holding them here would keep the pipes from ever
    // reaching end-of-file.
    close(out.write)
    close(err.write)
    return (pid, out.read, err.read)
  }

  /// Starts the child with standard output and error on the pipes' write ends, through
  /// `casebook_spawn` (fork and exec in C): standard input on `/dev/null`, nothing else above 2,
  /// an empty signal mask, SIGPIPE at its default, its address space limited to `memoryLimit`
  /// bytes when given, and, on Linux, killed when the thread that started it ends, so that it
  /// never outlives Casebook (SIGTERM, SIGKILL or a crash alike).
  private static func spawn(
    _ executable: String, arguments: [String], stdout: Int32, stderr: Int32, memoryLimit: Int?
  ) throws(SpawnError) -> pid_t {
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    #if canImport(Darwin)
      let environment = _NSGetEnviron().pointee
    #else
      let environment = environ
    #endif
    var pid: pid_t = 0
    let rc = casebook_spawn(
      executable, argv, environment, stdout, stderr, UInt64(max(0, memoryLimit ?? 0)), &pid)
    guard rc == 0 else { throw SpawnError(code: rc) }
    return pid
  }

  /// A pipe whose ends are close-on-exec, so that no later child inherits them, and above 0, 1
  /// and 2, so that setting up the child's 1 and 2 cannot overwrite one of them (when this
  /// process was started with a standard descriptor closed).
  private static func makePipe() throws(SpawnError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { throw SpawnError(code: errno) }
    for index in fds.indices {
      var code: Int32 = 0
      if fds[index] < 3 {
        let moved = fcntl(fds[index], F_DUPFD_CLOEXEC, 3)
        if moved < 0 { code = errno }
        close(fds[index])
        fds[index] = moved
      } else if fcntl(fds[index], F_SETFD, FD_CLOEXEC) != 0 {
        code = errno
      }
      if code != 0 {
        for fd in fds where fd >= 0 { close(fd) }
        throw SpawnError(code: code)
      }
    }
    return (fds[0], fds[1])
  }

  // MARK: - Running

  /// Reads both pipes until end-of-file and reaps the child, or kills it at the deadline or on
  /// overflow. Every wait is bounded by the deadline, and after a kill nothing waits on the
  /// pipes: a grandchild that inherited them may hold them open for as long as it likes.
  private static func collect(
    _ pid: pid_t, stdout: Int32, stderr: Int32, deadline: ContinuousClock.Instant, outputLimit: Int
  )
    -> Output
  {
    var fds = [
      pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0),
    ]
    var output = Output(termination: .unknown, stdout: [], stderr: [], timedOut: false, overflowed: false)
    var status: Int32?
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    // Once both pipes are closed the child is about to exit (or has closed them and goes on):
    // waitpid is polled, each pause twice the last, up to 50 ms.
    var pause: Int32 = 1
    var reaped = false
    running: while true {
      let left = deadline - .now
      guard left > .zero else {
        output.timedOut = true
        break
      }
      let wait = milliseconds(left)
      if fds.contains(where: { $0.fd >= 0 }) {
        let ready = poll(&fds, nfds_t(fds.count), wait)
        if ready < 0 {
          let code = errno
          if code == EINTR || code == EAGAIN { continue }
          // Cannot wait for the child's output: it is killed below, and the reason kept so that
          // the caller does not blame the child for a SIGKILL that was ours.
          output.failure = POSIX.errorText(code)
          break
        }
        for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
          let n = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
          if n < 0, errno == EINTR || errno == EAGAIN { continue }
          if n <= 0 {
            close(fds[index].fd)
            fds[index].fd = -1
          } else if index == 0 {
            output.stdout.append(contentsOf: buffer[..<n])
          } else if output.stderr.count < stderrLimit {
            output.stderr.append(contentsOf: buffer[..<min(n, stderrLimit - output.stderr.count)])
          }
        }
        if output.stdout.count > outputLimit {
          output.overflowed = true
          break
        }
      } else {
        var raw: Int32 = 0
        switch waitpid(pid, &raw, WNOHANG) {
        case pid:
          status = raw
          break running
        case 0:
          _ = poll(nil, 0, min(pause, wait))
          pause = min(pause * 2, 50)
        default:
          if errno == EINTR { continue }
          reaped = true  // ECHILD: not ours to wait for any more
          break running
        }
      }
    }
    if status == nil, !reaped {
      kill(pid, SIGKILL)
    }
    for fd in fds where fd.fd >= 0 { close(fd.fd) }
    if status == nil, !reaped {
      // SIGKILL cannot be caught or ignored, so this wait is short.
      var raw: Int32 = 0
      while true {
        let rc = waitpid(pid, &raw, 0)
        if rc == pid { status = raw }
        if rc >= 0 || errno != EINTR { break }
      }
    }
    if let status { output.termination = termination(status) }
    return output
  }

  /// Decodes a `waitpid` status: the `WIFEXITED`/`WTERMSIG` macros do not reach Swift, and the
  /// layout is the same on Linux and Darwin (low 7 bits the signal, 0 for an exit; next 8 bits
  /// the exit status).
  private static func termination(_ status: Int32) -> Termination {
    let signal = status & 0x7f
    return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
  }

  // MARK: - Time

  /// The longest time limit honoured, about 35,000 years: far beyond any real run, and small
  /// enough that `ContinuousClock.now` plus it can never overflow, whatever `Duration` a caller
  /// builds (a `Duration` holds up to about 1.7e20 s, and adding to one that large would trap).
  static let longestLimit: Duration = .seconds(Int64(1) << 40)

  /// `duration` (positive) as a `poll` timeout, rounded up so that the loop does not spin
  /// through the last millisecond before the deadline, and clamped to `Int32`.
  static func milliseconds(_ duration: Duration) -> Int32 {
    guard duration > .zero else { return 0 }
    // Checked before `components`, whose whole seconds would trap beyond `Int64`.
    guard duration < .milliseconds(Int32.max) else { return Int32.max }
    let (seconds, attoseconds) = duration.components
    let whole = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    return Int32(whole + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0))
  }
}
