/// Why a key, a signature or an allowed-signers file could not be read or used.
public struct SigningError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
