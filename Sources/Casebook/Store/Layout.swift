/// Where things live in a Casebook repository: refs and tree paths, in one place (docs/ARCHITECTURE.md, "Refs and trees").
enum Layout {
  static let main = "refs/heads/main"
  static let sessionPrefix = "refs/heads/sessions/"
  static let approvalTagPrefix = "approved/"
  static let lockPrefix = "refs/casebook/locks/"
  /// `refs/casebook/merging/<session>`: a `section commit` between its two ref updates.
  static let mergingPrefix = "refs/casebook/merging/"

  static let config = "casebook.yaml"
  static let profile = "project_profile.yaml"
  static let gitattributes = ".gitattributes"

  static func sessionRef(_ id: String) -> String { sessionPrefix + id }
  static func lockRef(_ section: String) -> String { lockPrefix + section }
  static func mergingRef(_ session: String) -> String { mergingPrefix + session }
  static func sessionFile(_ id: String) -> String { "sessions/\(id).yaml" }
  /// Conflicts a merge of the session found, kept on its branch until they are resolved.
  static func conflictFile(_ id: String) -> String { "sessions/\(id).conflicts.yaml" }
  static func sectionContent(_ id: String) -> String { "sections/\(id).md" }
  static func sectionMeta(_ id: String) -> String { "sections/\(id).yaml" }
  static func inputFolder(_ id: String) -> String { "inputs/\(id)" }
  static func inputMeta(_ id: String) -> String { "inputs/\(id)/meta.yaml" }
  static func inputText(_ id: String) -> String { "inputs/\(id)/text.txt" }
  static func inputLocators(_ id: String) -> String { "inputs/\(id)/locators.yaml" }
  static func inputOriginal(_ id: String, ext: String?) -> String {
    ext.map { "inputs/\(id)/original.\($0)" } ?? "inputs/\(id)/original"
  }
  static func approvalTag(_ section: String, _ version: Int) -> String { "approved/\(section)/v\(version)" }

  /// Exchange records fan out by sequence number, a thousand to a folder, so that recording one
  /// rewrites three small trees however many came before it.
  static func exchange(session: String, sequence: Int) -> String {
    let bucket = (sequence / 1000).zeroPadded(4)
    return "exchanges/\(session)/\(bucket)/\(sequence.zeroPadded(7)).yaml"
  }
}
