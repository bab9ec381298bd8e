import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A client's key for one write (`--request-id`, and the HTTP API's `Idempotency-Key`): a retry
/// with the same key and the same request gets the first result back and writes nothing; the
/// same key with a different request is refused (docs/ARCHITECTURE.md, "Safe retries").
public struct RequestID: Sendable, Hashable, CustomStringConvertible {
  public let key: String
  public var description: String { key }

  /// The longest key accepted, in bytes.
  public static let maxBytes = 200

  /// Checks `key`: 1 to 200 printable ASCII characters, no spaces (a UUID, a ULID, a hash, a
  /// client's own counter all pass). It goes into a commit trailer, so nothing else may.
  public init(_ key: String) throws {
    guard !key.isEmpty, key.utf8.count <= Self.maxBytes, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw CasebookError.badInput(
        "request id '\(Identifier.printable(key))' is not valid: use 1 to \(Self.maxBytes) printable ASCII characters without spaces (a UUID, for example)"
      )
    }
    self.key = key
  }

  /// SHA-256 of the key, in hex: its file name, so that any key is a safe path.
  var digest: String {
    var hash = SHA256()
    hash.update(Data(key.utf8))
    return hash.finalize()
  }
}

/// One write's request: its key, what it does, and a fingerprint of everything that decides
/// what it writes (never the time), so that a retry can be told from a different request.
struct RequestTicket {
  let id: RequestID
  let action: String
  let fingerprint: String

  /// `parts` are the request's arguments by name; nil ones are left out, so that adding an
  /// optional argument later does not change the fingerprint of requests that do not use it.
  init(_ id: RequestID, action: String, _ parts: [(String, String?)]) {
    self.id = id
    self.action = action
    var hash = SHA256()
    // Length-prefixed, so that no two argument lists run together into the same bytes.
    var text = "casebook-request v1\naction:\(action.utf8.count):\(action)\n"
    for (name, value) in parts {
      guard let value else { continue }
      text += "\(name):\(value.utf8.count):\(value)\n"
    }
    hash.update(Data(text.utf8))
    fingerprint = hash.finalize()
  }

  /// `init` for an optional key: no key, no ticket.
  static func make(_ id: RequestID?, action: String, _ parts: [(String, String?)]) -> RequestTicket? {
    id.map { RequestTicket($0, action: action, parts) }
  }

  /// Where the request's record lives, under the session it belongs to: a folder per first two
  /// hex digits of the key's SHA-256.
  func path(session: SessionID) -> String {
    let digest = id.digest
    return "requests/\(session)/\(digest.prefix(2))/\(digest.dropFirst(2)).yaml"
  }

  /// The record written with the write: the key, the fingerprint, the action, who, the head it
  /// was written on (nil: none), and the result as JSON (without the write's own commit, which
  /// does not exist yet).
  func node(user: User, after head: ObjectID?, result: String) -> Node {
    var map: Mapping = [
      "request_id": .string(id.key), "action": .string(action), "fingerprint": .string(fingerprint),
      "user_id": .string(user.id),
    ]
    if let head { map["after"] = .string(head.hex) }
    map["result"] = .string(result)
    return .mapping(map)
  }

  /// The refusal for a key already used by a different request.
  func reused(_ stored: Mapping, at place: String) -> CasebookError {
    reused(stored["action"]?.string ?? "a write", at: place)
  }

  func reused(_ action: String, at place: String) -> CasebookError {
    .conflict(
      "request id '\(id.key)' was already used for a different request (\(action) in \(place)); nothing was written. Give each new request a new id"
    )
  }

  /// The trailers a write records the request with when it has no tree of its own to keep the
  /// record in (a lock commit).
  var trailers: [(String, String)] { [("Casebook-Request", id.key), ("Casebook-Request-Fingerprint", fingerprint)] }
}

/// A write's result that a retry with the same request id gets back. It is stored with the write
/// as JSON, without the write's own commit, which `replayed(commit:in:)` fills in (with anything
/// else that was only known after the commit).
protocol ReplayableResult: Codable, Sendable {
  func replayed(commit: String, in project: Project) throws -> Self
}

extension ReplayableResult {
  func storedJSON() throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  static func fromStored(_ json: String, at place: String) throws -> Self {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    do {
      return try decoder.decode(Self.self, from: Data(json.utf8))
    } catch {
      throw CasebookError.repository("the request record \(place) has a result that does not read back: \(error)")
    }
  }
}

/// Thrown inside a write that finds its own request already recorded on the head it is built on
/// (a retry that raced the first attempt and lost): the caller answers with the first result.
struct RequestAlreadyDone: Error {}
