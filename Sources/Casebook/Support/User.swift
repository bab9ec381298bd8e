#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The person or agent acting: the author and committer of every commit it makes, and the
/// `Casebook-User` trailer.
public struct User: Sendable, Equatable {
  public let id: String
  public let email: String

  /// - Parameters:
  ///   - id: the user id, validated by `Identifier.user`.
  ///   - email: the address for signatures; defaults to `<id>@users.casebook.invalid`
  ///     (a reserved domain, so it never names a real mailbox).
  public init(_ id: String, email: String? = nil) throws {
    self.id = try Identifier.user(id)
    let mail = email ?? "\(id)@users.casebook.invalid"
    guard !mail.contains(where: { $0 == "<" || $0 == ">" || $0 == "\n" }) else {
      throw CasebookError.badInput("email '\(Identifier.printable(mail))' is not valid")
    }
    self.email = mail
  }
}
