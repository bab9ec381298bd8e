/// A snapshot of a commit object, copied out of libgit2.
public struct Commit: Sendable, Equatable {
  /// The commit's id.
  public let id: ObjectID
  /// The root tree.
  public let tree: ObjectID
  /// Parent commits, first parent first.
  public let parents: [ObjectID]
  /// Who wrote the change.
  public let author: Signature
  /// Who made the commit.
  public let committer: Signature
  /// The full raw message, exactly as stored.
  public let message: String
  /// "Key: value" trailers parsed from the end of the message (`git_message_trailers`).
  public let trailers: [Trailer]

  /// Makes a commit value; public so that callers' tests can build fakes.
  public init(
    id: ObjectID, tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature,
    message: String, trailers: [Trailer]
  ) {
    self.id = id
    self.tree = tree
    self.parents = parents
    self.author = author
    self.committer = committer
    self.message = message
    self.trailers = trailers
  }

  /// The first line of the message (leading blank lines skipped, as git does).
  public var summary: String {
    let body = message.drop { $0 == "\n" || $0 == "\r" }
    return String(body.prefix { $0 != "\n" && $0 != "\r" })
  }
}
