import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One ref to send: its new tip, and the remote tip it must replace (nil: the remote must not
/// have the ref yet).
struct RefDelivery {
  let ref: String
  let tip: ObjectID
  let remoteTip: ObjectID?
}

extension Project {
  /// Sends `updates` to `remote`, each one a compare-and-swap against the remote tip this clone
  /// last saw, and returns the remote's answer per ref.
  ///
  /// Over ssh and http(s) the remote's `git receive-pack` checks each ref's old value under its
  /// ref lock. libgit2's push to a local path or `file://` writes the remote's refs itself with
  /// force, after checking them only against what it read moments before, so two syncs at once
  /// could overwrite each other there: for those remotes the objects travel under a private
  /// `refs/casebook/incoming/<nonce>/` name and each ref is then moved in the remote by
  /// compare-and-swap under git's own ref lock, exactly as a local write is.
  func deliver(_ updates: [RefDelivery], to remote: RemoteInfo, callbacks: TransferCallbacks) throws
    -> [PushedReference]
  {
    guard let path = Self.localPath(remote.url) else {
      return try repository.push(remote.name, refspecs: updates.map { "\($0.ref):\($0.ref)" }, callbacks: callbacks)
    }
    // libgit2 pushes from ref names only: the tips go out under the same private name here.
    let nonce = Self.newSessionID().text
    let incoming = updates.indices.map { "refs/casebook/incoming/\(nonce)/\($0)" }
    for (update, name) in zip(updates, incoming) {
      try repository.updateReference(name, to: update.tip, expected: nil, message: "casebook: outgoing")
    }
    defer {
      for (update, name) in zip(updates, incoming) { try? repository.deleteReference(name, expected: update.tip) }
    }
    _ = try repository.push(remote.name, refspecs: incoming.map { "+\($0):\($0)" }, callbacks: callbacks)
    let target: Repository
    do {
      target = try Repository.open(at: path)
    } catch let error as GitError {
      throw GitError(error.code, errorClass: error.errorClass, message: error.message, function: "open the remote")
    }
    defer {
      for (update, name) in zip(updates, incoming) { try? target.deleteReference(name, expected: update.tip) }
    }
    return updates.map { update in
      do {
        try target.updateReference(update.ref, to: update.tip, expected: update.remoteTip, message: "casebook: push")
        return PushedReference(name: update.ref, rejection: nil)
      } catch let error as GitError where error.isConflict || error.isExists {
        return PushedReference(
          name: update.ref, rejection: "the remote's ref moved since this clone last saw it (fetch first)")
      } catch {
        return PushedReference(name: update.ref, rejection: error.explanation)
      }
    }
  }

  /// The folder of a local remote (a path or a `file://` URL); nil for ssh and http(s).
  static func localPath(_ url: String) -> String? {
    if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
    if url.contains("://") || (url.contains(":") && !url.hasPrefix("/") && !url.hasPrefix(".")) { return nil }
    return url
  }
}
