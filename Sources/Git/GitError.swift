internal import CGit2
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

/// An error reported by libgit2 (or by this module's own argument checks), carrying libgit2's
/// return code, error class and message, and the name of the function that failed.
public struct GitError: Error, LocalizedError, Sendable, Equatable {
  /// libgit2's raw return code, e.g. `GIT_ENOTFOUND` (-3); -1 for generic errors.
  public let code: Int32
  /// libgit2's error class (`git_error_t`), e.g. 4 for references; 0 when libgit2 set none.
  public let klass: Int32
  /// libgit2's message.
  public let message: String
  /// The C function (or, for this module's own checks, the Swift method) that failed.
  public let function: String

  /// Makes an error; mostly used internally, public so that tests and callers can build fakes.
  public init(code: Int32, klass: Int32, message: String, function: String) {
    self.code = code
    self.klass = klass
    self.message = message
    self.function = function
  }

  /// "<function>: <message>".
  public var errorDescription: String? { "\(function): \(message)" }

  /// The object, reference, path or revision does not exist (`GIT_ENOTFOUND`).
  public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

  /// The repository is owned by another user, which git (and libgit2) refuse unless it is listed
  /// in `safe.directory` (`GIT_EOWNER`).
  public var isOwner: Bool { code == GIT_EOWNER.rawValue }

  /// The object or reference already exists (`GIT_EEXISTS`), e.g. a second annotated tag of one name.
  public var isExists: Bool { code == GIT_EEXISTS.rawValue }

  /// A compare-and-swap was lost: the reference moved (`GIT_EMODIFIED`), was locked by another
  /// writer (`GIT_ELOCKED`), already exists where it was to be created (`GIT_EEXISTS`, so
  /// `isExists` is true as well), or a conflict was reported (`GIT_ECONFLICT`).
  public var isConflict: Bool {
    switch code {
    case GIT_EMODIFIED.rawValue, GIT_ELOCKED.rawValue, GIT_ECONFLICT.rawValue, GIT_EEXISTS.rawValue: true
    default: false
    }
  }
}

extension GitError {
  /// A failed system call of this module's own file code: `what` and the system's reason for
  /// `code` (an `errno` value), as libgit2 words its own OS errors.
  static func system(_ what: String, code: Int32 = errno, function: String) -> GitError {
    GitError(
      code: -1, klass: Int32(GIT_ERROR_OS.rawValue), message: "\(what): \(String(cString: strerror(code)))",
      function: function)
  }
}
