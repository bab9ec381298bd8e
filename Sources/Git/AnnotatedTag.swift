/// A snapshot of an annotated tag object and the name it is reachable under.
public struct AnnotatedTag: Sendable, Equatable {
  /// The tag object's id (not the target's).
  public let id: ObjectID
  /// Short name, without "refs/tags/", e.g. "approved/rationale/v1".
  public let name: String
  /// The tagged object, usually a commit.
  public let target: ObjectID
  /// Who tagged; nil for (rare) tags written without a tagger.
  public let tagger: Signature?
  /// The tag message, exactly as stored.
  public let message: String

  /// Makes a tag value.
  public init(id: ObjectID, name: String, target: ObjectID, tagger: Signature?, message: String) {
    self.id = id
    self.name = name
    self.target = target
    self.tagger = tagger
    self.message = message
  }
}
