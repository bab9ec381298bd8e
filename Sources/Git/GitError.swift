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

/// An error reported by libgit2 (or by this module's own checks): what kind of failure (`code`),
/// libgit2's message, and the name of the function that failed. Callers decide by `code` (or
/// the `is…` shorthands), never by the function's name or a raw number.
public struct GitError: Error, LocalizedError, Sendable, Equatable {
  /// libgit2's error codes (`git_error_code`), by meaning.
  public enum Code: Sendable, Equatable {
    case generic, notFound, exists, ambiguous, bufferTooShort, user, bareRepository, unbornBranch, unmerged
    case nonFastForward, invalidSpec, conflict, locked, modified, auth, certificate, applied, peel, endOfFile
    case invalid, uncommitted, directory, mergeConflict, passthrough, iterationOver, retry, mismatch, indexDirty
    case applyFailed, owner
    /// A code this libgit2 has that the list above does not name.
    case other(Int32)

    init(raw: Int32) {
      let known: [Int32: Code] = [
        GIT_ERROR.rawValue: .generic, GIT_ENOTFOUND.rawValue: .notFound, GIT_EEXISTS.rawValue: .exists,
        GIT_EAMBIGUOUS.rawValue: .ambiguous, GIT_EBUFS.rawValue: .bufferTooShort, GIT_EUSER.rawValue: .user,
        GIT_EBAREREPO.rawValue: .bareRepository, GIT_EUNBORNBRANCH.rawValue: .unbornBranch,
        GIT_EUNMERGED.rawValue: .unmerged, GIT_ENONFASTFORWARD.rawValue: .nonFastForward,
        GIT_EINVALIDSPEC.rawValue: .invalidSpec, GIT_ECONFLICT.rawValue: .conflict, GIT_ELOCKED.rawValue: .locked,
        GIT_EMODIFIED.rawValue: .modified, GIT_EAUTH.rawValue: .auth, GIT_ECERTIFICATE.rawValue: .certificate,
        GIT_EAPPLIED.rawValue: .applied, GIT_EPEEL.rawValue: .peel, GIT_EEOF.rawValue: .endOfFile,
        GIT_EINVALID.rawValue: .invalid, GIT_EUNCOMMITTED.rawValue: .uncommitted, GIT_EDIRECTORY.rawValue: .directory,
        GIT_EMERGECONFLICT.rawValue: .mergeConflict, GIT_PASSTHROUGH.rawValue: .passthrough,
        GIT_ITEROVER.rawValue: .iterationOver, GIT_RETRY.rawValue: .retry, GIT_EMISMATCH.rawValue: .mismatch,
        GIT_EINDEXDIRTY.rawValue: .indexDirty, GIT_EAPPLYFAIL.rawValue: .applyFailed, GIT_EOWNER.rawValue: .owner,
      ]
      self = known[raw] ?? .other(raw)
    }
  }

  /// What kind of failure.
  public let code: Code
  /// libgit2's error class (`git_error_t`, e.g. 4 for references), for messages and logs; 0 when
  /// libgit2 set none.
  public let errorClass: Int32
  /// libgit2's message.
  public let message: String
  /// The C function (or, for this module's own checks, the Swift method) that failed.
  public let function: String

  /// An error of this kind, e.g. for callers and tests that stand in for the Git layer.
  public init(_ code: Code, errorClass: Int32 = 0, message: String, function: String) {
    self.code = code
    self.errorClass = errorClass
    self.message = message
    self.function = function
  }

  /// An error from libgit2's raw return code and class.
  init(code raw: Int32, klass: Int32, message: String, function: String) {
    self.init(Code(raw: raw), errorClass: klass, message: message, function: function)
  }

  /// "<function>: <message>".
  public var errorDescription: String? { "\(function): \(message)" }

  /// The object, reference, path or revision does not exist.
  public var isNotFound: Bool { code == .notFound }

  /// The repository is owned by another user, which git (and libgit2) refuse unless it is listed
  /// in `safe.directory`.
  public var isOwner: Bool { code == .owner }

  /// The object or reference already exists, e.g. a second annotated tag of one name.
  public var isExists: Bool { code == .exists }

  /// A compare-and-swap was lost: the reference moved, was locked by another writer, already
  /// exists where it was to be created (so `isExists` is true as well), or a conflict was
  /// reported.
  public var isConflict: Bool {
    switch code {
    case .modified, .locked, .conflict, .exists: true
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
