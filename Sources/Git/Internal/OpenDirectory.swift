#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A folder held open for the `*at` system calls: the kernel then resolves only the path inside
/// it on each call, not the whole absolute path again (for a project under
/// `/home/user/projects/x/.git/objects` that is seven lookups per call saved, on the twenty or so
/// file calls of every write). When the folder cannot be opened, calls fall back to absolute
/// paths and behave as before.
final class OpenDirectory {
  let path: String
  private let fd: Int32

  init(_ path: String) {
    self.path = path
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  /// The directory and name to hand an `*at` call for `relative`, a path inside this folder.
  func at(_ relative: String) -> (directory: Int32, name: String) {
    fd >= 0 ? (fd, relative) : (AT_FDCWD, path + "/" + relative)
  }

  /// `relative` as an absolute path, for messages.
  func shown(_ relative: String) -> String { path + "/" + relative }
}

/// `write(2)`, named apart from the `write` methods in scope where it is called.
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}

/// `open(2)`, named apart from `Repository.open`.
func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
  open(path, flags)
}
