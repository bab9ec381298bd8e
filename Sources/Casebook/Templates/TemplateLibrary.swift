#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Where templates are found: `CASEBOOK_TEMPLATES`, the `templates` folder beside the binary's
/// package (walking up from the executable), or the shared install path. A name with a slash is
/// a template folder of the team's own, used as it is.
public struct TemplateLibrary: Sendable {
  public let searchPaths: [String]

  public init(searchPaths: [String]) { self.searchPaths = searchPaths }

  /// The default search path for this process.
  public static func standard(executablePath: String = CommandLine.arguments.first ?? "") -> TemplateLibrary {
    var paths: [String] = []
    if let env = ProcessInfo.processInfo.environment["CASEBOOK_TEMPLATES"], !env.isEmpty { paths.append(env) }
    var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<6 {
      paths.append(dir.appendingPathComponent("templates").path)
      paths.append(dir.appendingPathComponent("share/casebook/templates").path)
      dir.deleteLastPathComponent()
    }
    paths.append("/usr/local/share/casebook/templates")
    return TemplateLibrary(searchPaths: paths)
  }

  /// The template named `name` (`gate-0`), or at the folder `name` if it contains a slash.
  public func template(_ name: String) throws -> Template {
    if name.contains("/") { return try Template.load(from: name) }
    guard (try? Identifier.slug(name, what: "template")) != nil else {
      throw CasebookError.badInput(
        "template '\(Identifier.printable(name))' is neither a template name (like gate-0) nor a folder; write a folder as ./\(Identifier.printable(name))"
      )
    }
    guard let dir = folder(of: name) else {
      // A folder of that name here is most likely what was meant: say how to name it.
      let here = FileManager.default.fileExists(atPath: name + "/template.yaml")
      throw CasebookError.notFound(
        "template '\(name)' not found (looked in \(existingRoots.first ?? searchPaths.first ?? "no folder")); "
          + (here
            ? "to use the folder \(name) here, write it as ./\(name)"
            : "run 'casebook template list', set CASEBOOK_TEMPLATES, or pass a folder (./my-template)"))
    }
    return try Self.named(name, at: dir)
  }

  /// Loads a library template, which must carry its folder's name as its id: projects record
  /// the id and find the template again by it.
  static func named(_ name: String, at dir: String) throws -> Template {
    let template = try Template.load(from: dir)
    guard template.id == name else {
      throw CasebookError.badInput(
        "\(dir)/template.yaml has id '\(template.id)'; a library template's id must be its folder's name")
    }
    return template
  }

  /// The library's template for a gate stage: `gate-<n>`.
  public func template(forGate gate: String) throws -> Template {
    guard let number = ProfileSchema.gateNumber(gate) else {
      throw CasebookError.badInput(
        "'\(Identifier.printable(gate))' is not a gate: use one of \(ProfileSchema.gateStages.joined(separator: ", "))")
    }
    let template = try template("gate-\(number)")
    guard template.gateStage == gate else {
      throw CasebookError.badInput(
        "template gate-\(number) at \(template.directory) is for \(template.gateStage), not \(gate)")
    }
    return template
  }

  /// The folder holding the template `name`, first in search order.
  func folder(of name: String) -> String? {
    for root in searchPaths {
      let dir = System.join(root, name)
      if FileManager.default.fileExists(atPath: System.join(dir, "template.yaml")) {
        return dir
      }
    }
    return nil
  }

  /// The search paths that exist on this machine.
  public var existingRoots: [String] {
    searchPaths.filter(System.isFolder)
  }

  /// One folder of the library that holds a `template.yaml`, loaded or not.
  public struct Entry: Sendable {
    public let name: String
    public let directory: String
    /// The template, or the reason it does not load.
    public let template: Result<Template, CasebookError>
  }

  /// Every template in the library, first occurrence of each name winning (as `template(_:)`
  /// resolves it), ordered by gate then name. Broken templates are listed with their error
  /// rather than hiding the rest.
  public func entries() -> [Entry] {
    var seen = Set<String>()
    var out: [Entry] = []
    for root in existingRoots {
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
      for name in names where !seen.contains(name) {
        let dir = System.join(root, name)
        guard FileManager.default.fileExists(atPath: System.join(dir, "template.yaml")) else {
          continue
        }
        seen.insert(name)
        let loaded: Result<Template, CasebookError>
        do { loaded = .success(try Self.named(name, at: dir)) } catch let error as CasebookError {
          loaded = .failure(error)
        } catch {
          loaded = .failure(.badInput("\(dir): \(error.explanation)"))
        }
        out.append(Entry(name: name, directory: dir, template: loaded))
      }
    }
    func key(_ entry: Entry) -> (Int, String) {
      ((try? entry.template.get().gateNumber) ?? 99, entry.name)
    }
    return out.sorted { key($0) < key($1) }
  }
}
