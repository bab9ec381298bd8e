import Foundation

/// The one thread servers are spawned from. casebook_spawn ties the child's life to the thread
/// that spawned it (PR_SET_PDEATHSIG), and the test runner's pool threads may end when idle, which
/// killed a server with SIGKILL in the middle of a long test; this thread lives as long as the
/// test process.
public final class Spawner: @unchecked Sendable {
  public static let shared = Spawner()
  private let condition = NSCondition()
  private var jobs: [() -> Void] = []

  private init() {
    let thread = Thread { [self] in
      while true {
        condition.lock()
        while jobs.isEmpty { condition.wait() }
        let job = jobs.removeFirst()
        condition.unlock()
        job()
      }
    }
    thread.start()
  }

  /// Runs `body` on the spawning thread and returns its result.
  public func run<T>(_ body: @escaping () -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let box = Box<T>()
    condition.lock()
    jobs.append {
      box.value = body()
      done.signal()
    }
    condition.signal()
    condition.unlock()
    done.wait()
    return box.value!
  }

  private final class Box<T>: @unchecked Sendable { var value: T? }
}
