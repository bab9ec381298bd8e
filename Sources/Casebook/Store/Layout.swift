/// Where things live in a Casebook repository: refs and tree paths, in one place (docs/ARCHITECTURE.md,
/// "Refs and trees"). Every name built from an id takes the id's checked type, never text.
enum Layout {
  static let main = "refs/heads/main"
  static let sessionPrefix = "refs/heads/sessions/"
  static let approvalTagPrefix = "approved/"
  static let lockPrefix = "refs/casebook/locks/"
  /// `refs/casebook/documents/<section>/v<N>`: the approved document's bytes, one commit per
  /// approval (tree: `approved.md`, `approved.html`), named by its approval tag.
  static let documentPrefix = "refs/casebook/documents/"
  /// `refs/casebook/merging/<session>`: a `section commit` between its two ref updates.
  static let mergingPrefix = "refs/casebook/merging/"

  static let config = "casebook.yaml"
  static let profile = "project_profile.yaml"
  static let gitattributes = ".gitattributes"
  /// The keys that may sign, in ssh-keygen's allowed-signers format, for git and Casebook alike.
  static let allowedSigners = "allowed_signers"

  static func sessionRef(_ id: SessionID) -> String { sessionPrefix + id.text }
  static func lockRef(_ section: SectionID) -> String { lockPrefix + section.text }
  static func mergingRef(_ session: SessionID) -> String { mergingPrefix + session.text }
  static func sessionFile(_ id: SessionID) -> String { "sessions/\(id).yaml" }
  /// Conflicts a merge of the session found, kept on its branch until they are resolved.
  static func conflictFile(_ id: SessionID) -> String { "sessions/\(id).conflicts.yaml" }
  static func sectionContent(_ id: SectionID) -> String { "sections/\(id).md" }
  static func sectionMeta(_ id: SectionID) -> String { "sections/\(id).yaml" }
  static func inputFolder(_ id: InputID) -> String { "inputs/\(id)" }
  static func inputMeta(_ id: InputID) -> String { "inputs/\(id)/meta.yaml" }
  static func inputText(_ id: InputID) -> String { "inputs/\(id)/text.txt" }
  static func inputLocators(_ id: InputID) -> String { "inputs/\(id)/locators.yaml" }
  static func inputOriginal(_ id: InputID, ext: String?) -> String {
    ext.map { "inputs/\(id)/original.\($0)" } ?? "inputs/\(id)/original"
  }
  static func approvalTag(_ section: SectionID, _ version: Int) -> String { "approved/\(section)/v\(version)" }
  static func documentRef(_ section: SectionID, _ version: Int) -> String { "\(documentPrefix)\(section)/v\(version)" }

  /// Exchange records fan out by sequence number, a thousand to a folder, so that recording one
  /// rewrites three small trees however many came before it.
  static func exchange(session: SessionID, sequence: Int) -> String {
    let bucket = (sequence / 1000).zeroPadded(4)
    return "exchanges/\(session)/\(bucket)/\(sequence.zeroPadded(7)).yaml"
  }
}
