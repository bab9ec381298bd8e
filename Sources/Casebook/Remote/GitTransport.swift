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

/// How a fetch or push shows its progress.
public enum TransferProgress {
  /// git draws its own progress (objects, bytes, rate) on this process's standard error: for a
  /// terminal.
  case terminal
  /// Each finished line of git's progress and every `remote:` message, passed on as a line: for
  /// a log or a pipe.
  case lines((String) -> Void)
  /// Nothing: for `--json`, which prints only the final report.
  case silent
}

/// git's own fetch and push, which Casebook's remotes travel through (docs/DECISIONS.md, "Sync").
///
/// The transport is git's: ssh with the user's ssh config, agent and known_hosts; http(s) with
/// git's credential helpers and `http.sslCAInfo`; a local path through `git receive-pack`, so a
/// shared folder's hooks run too. Casebook adds, per run and never in any config file:
/// prompts off (`GIT_TERMINAL_PROMPT=0`, ssh `BatchMode`), a credential helper that answers from
/// `CASEBOOK_HTTP_USERNAME`/`CASEBOOK_HTTP_PASSWORD` when both are set (after the configured
/// helpers; only the variables' names are on the command line).
struct GitTransport {
  let repository: String
  let progress: TransferProgress

  struct Outcome {
    var status: Int32
    var stdout: String
    /// The last lines of standard error (progress lines left out): git's message on failure.
    var messages: [String]
  }

  /// `--progress` where progress is shown (git draws none on a pipe unless asked).
  var progressFlag: [String] {
    if case .silent = progress { return [] }
    return ["--progress"]
  }

  /// Runs `git ARGS` on the repository (its git folder) and waits for it (bounded: `timeLimit`).
  func run(_ arguments: [String], timeLimit: Duration = .seconds(3600)) throws -> Outcome {
    guard let git = Self.executable else {
      throw CasebookError.remote(
        "syncing needs git on the PATH (it carries Casebook's fetches and pushes); install git")
    }
    let environment = Self.environment()
    var options = ["--git-dir=" + repository, "-c", "core.askPass=", "-c", "credential.interactive=never"]
    if environment["CASEBOOK_HTTP_USERNAME"] != nil, environment["CASEBOOK_HTTP_PASSWORD"] != nil {
      options += ["-c", "credential.helper=" + Self.environmentHelper]
    }
    return try spawn(git, options + arguments, environment: environment, timeLimit: timeLimit)
  }

  /// A credential helper that reads the two variables when git asks; the values never reach a
  /// command line, a log or a file.
  static let environmentHelper =
    #"!f() { test "$1" = get && printf 'username=%s\npassword=%s\n' "$CASEBOOK_HTTP_USERNAME" "$CASEBOOK_HTTP_PASSWORD"; }; f"#

  static let executable: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/git" }.first { access($0, X_OK) == 0 }
  }()

  static func environment() -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_TERMINAL_PROMPT"] = "0"
    environment["LC_ALL"] = "C"  // git's messages as this code reads them
    // ssh never asks a question it cannot be answered (a passphrase, a new host key): it fails.
    if environment["GIT_SSH_COMMAND"] == nil, environment["GIT_SSH"] == nil {
      environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    }
    return environment
  }

  // MARK: - The child

  private func spawn(_ git: String, _ arguments: [String], environment: [String: String], timeLimit: Duration) throws
    -> Outcome
  {
    var out: [Int32] = [0, 0]
    var err: [Int32] = [0, 0]
    guard pipe(&out) == 0 else {
      throw CasebookError.repository("cannot start git: \(String(cString: strerror(errno)))")
    }
    guard pipe(&err) == 0 else {
      close(out[0])
      close(out[1])
      throw CasebookError.repository("cannot start git: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, out[1], 1)
    posix_spawn_file_actions_adddup2(&actions, err[1], 2)
    for fd in out + err { posix_spawn_file_actions_addclose(&actions, fd) }
    let argv = ([git] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, git, &actions, nil, argv, envp)
    close(out[1])
    close(err[1])
    guard rc == 0 else {
      close(out[0])
      close(err[0])
      throw CasebookError.repository("cannot start git: \(String(cString: strerror(rc)))")
    }
    var stdout: [UInt8] = []
    var messages = Messages(progress: progress)
    let deadline = ContinuousClock.now.advanced(by: timeLimit)
    var open = [out[0], err[0]]
    var buffer = [UInt8](repeating: 0, count: 65536)
    while !open.isEmpty {
      let left = deadline - ContinuousClock.now
      guard left > .zero else {
        kill(pid, SIGKILL)
        break
      }
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&fds, nfds_t(fds.count), Int32(min(left.components.seconds * 1000 + 1, 1000)))
      if ready < 0 && errno != EINTR { break }
      for entry in fds where entry.revents != 0 {
        let count = read(entry.fd, &buffer, buffer.count)
        if count <= 0 {
          close(entry.fd)
          open.removeAll { $0 == entry.fd }
        } else if entry.fd == out[0] {
          if stdout.count < 16 << 20 { stdout += buffer[..<count] }
        } else {
          messages.take(buffer[..<count])
        }
      }
    }
    for fd in open { close(fd) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    messages.flush()
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Outcome(status: exit, stdout: String(decoding: stdout, as: UTF8.self), messages: messages.kept)
  }

  /// git's standard error, split into lines: a progress line redrawn in place (ended by `\r`) is
  /// passed on only once finished; the last 40 lines are kept for messages.
  private struct Messages {
    let progress: TransferProgress
    var pending: [UInt8] = []
    var kept: [String] = []

    mutating func take(_ bytes: ArraySlice<UInt8>) {
      if case .terminal = progress {
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }  // git's own bar, as it draws it
      }
      for byte in bytes {
        if byte == 0x0A {
          emit(String(decoding: pending, as: UTF8.self))
          pending = []
        } else if byte == 0x0D {
          pending = []  // a progress update, drawn again in a moment
        } else if pending.count < 4096 {
          pending.append(byte)
        }
      }
    }

    mutating func flush() {
      if !pending.isEmpty { emit(String(decoding: pending, as: UTF8.self)) }
      pending = []
    }

    private mutating func emit(_ line: String) {
      guard !line.allSatisfy({ $0 == " " }) else { return }
      if case .lines(let print) = progress { print(line) }
      kept.append(line)
      if kept.count > 40 { kept.removeFirst() }
    }
  }
}
