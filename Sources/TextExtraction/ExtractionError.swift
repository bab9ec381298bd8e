/// Why a file's text could not be extracted. Two kinds, because the user is told two different
/// things: the file is at fault (replace or fix it; retrying changes nothing), or this machine is
/// (install `pdftotext`, free a resource, then retry). The message is complete as it stands and
/// names the file.
public enum ExtractionError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file is not what it claims to be, passes a limit, or cannot be read; so is a limit
  /// set in the environment that is not a number in its range.
  case badInput(String)
  /// Something outside the file failed: a tool that is not installed, a child process that
  /// cannot be started, or whose output cannot be waited for.
  case environment(String)

  /// The message, for either kind.
  public var message: String {
    switch self {
    case .badInput(let message), .environment(let message): message
    }
  }

  public var description: String { message }
}
