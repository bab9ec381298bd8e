import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Project {
  /// A git config value as git would see it in this repository.
  public func gitConfig(_ key: String) -> String? { repository.configString(key) }

  /// A git config value from the user's and the system's config, outside any repository.
  public static func globalGitConfig(_ key: String) -> String? { Repository.globalConfigString(key) }

  /// Classifies an error from the layers below the store for the CLI and the servers:
  /// libgit2 failures are repository errors (exit 4), YAML errors are bad input (exit 1).
  public static func describe(_ error: Error) -> (code: String, message: String, exitCode: Int32)? {
    switch error {
    case let error as CasebookError: return (error.code, error.explanation, error.exitCode)
    case let error as GitError: return ("repository", error.explanation, 4)
    case let error as YAMLError: return ("bad_input", error.explanation, 1)
    case let error as CocoaError where error.code == .fileReadNoSuchFile:
      return ("bad_input", error.explanation, 1)
    default: return nil
    }
  }
}
