import Casebook
import CasebookService
import Foundation
import MCP

/// A resource's address: `casebook://projects/{project_id}/profile`, `.../sections/{section_id}`
/// (the section's text on main, which is what a commit merged), `.../inputs/{input_id}` (an
/// input's extracted text on main).
enum ResourceAddress: Equatable {
  case profile(project: String)
  case section(project: String, section: String)
  case input(project: String, input: String)

  static let prefix = "casebook://projects/"

  static let templates: [Resource.Template] = [
    Resource.Template(
      uriTemplate: prefix + "{project_id}/profile", name: "profile", title: "Project profile",
      description: "The project profile (project_profile.yaml) on main, as JSON.", mimeType: "application/json"),
    Resource.Template(
      uriTemplate: prefix + "{project_id}/sections/{section_id}", name: "section", title: "Section text",
      description: "A section's text on main: what its last commit merged.", mimeType: "text/markdown"),
    Resource.Template(
      uriTemplate: prefix + "{project_id}/inputs/{input_id}", name: "input", title: "Input text",
      description: "The text Casebook extracted from an input (PDF, DOCX, HTML, Markdown, text) on main.",
      mimeType: "text/plain"),
  ]

  init(_ uri: String) throws(ServiceError) {
    guard uri.hasPrefix(Self.prefix) else {
      throw ServiceError.badInput("'\(uri.prefix(64))' is not a casebook resource (\(Self.prefix)...)")
    }
    let parts = uri.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(
      String.init)
    switch parts.count {
    case 2 where parts[1] == "profile": self = .profile(project: parts[0])
    case 3 where parts[1] == "sections": self = .section(project: parts[0], section: parts[2])
    case 3 where parts[1] == "inputs": self = .input(project: parts[0], input: parts[2])
    default: throw ServiceError.notFound("no casebook resource '\(uri.prefix(128))'")
    }
    try Projects.checked(project)
  }

  var project: String {
    switch self {
    case .profile(let project), .section(let project, _), .input(let project, _): return project
    }
  }

  var uri: String {
    switch self {
    case .profile(let project): return Self.prefix + project + "/profile"
    case .section(let project, let section): return Self.prefix + project + "/sections/" + section
    case .input(let project, let input): return Self.prefix + project + "/inputs/" + input
    }
  }
}

extension CasebookMCP {
  /// At most this many resources are listed (the templates reach the rest).
  static let resourceListLimit = 1_000

  /// The projects the server serves that `caller` may see, by id.
  func projectIds(for caller: Caller) -> [String] {
    let ids: [String]
    switch runner.projects.source {
    case .one(let id, _):
      ids = [id]
    case .folder(let folder):
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      ids = names.filter { name in
        (try? Projects.checked(name)) != nil
          && (FileManager.default.fileExists(atPath: folder + "/" + name + "/.git")
            || FileManager.default.fileExists(atPath: folder + "/" + name + "/HEAD"))
      }.sorted()
    }
    return ids.filter(caller.may(see:))
  }

  /// Every project's profile, committed sections and inputs on main that `caller` may see.
  func resources(for caller: Caller) throws -> [Resource] {
    var out: [Resource] = []
    for id in projectIds(for: caller) {
      guard out.count < Self.resourceListLimit else { break }
      try runner.projects.with(id) { project in
        out.append(
          Resource(
            name: "\(id) profile", uri: ResourceAddress.profile(project: id).uri,
            description: "The project profile of \(id).", mimeType: "application/json"))
        for section in try project.sections() where section.status != nil {
          out.append(
            Resource(
              name: "\(id) \(section.sectionId)",
              uri: ResourceAddress.section(project: id, section: section.sectionId).uri,
              title: section.title, description: "Section \(section.sectionId) of \(id) as it is on main.",
              mimeType: "text/markdown"))
        }
        for input in try project.inputs() where input.extracted {
          out.append(
            Resource(
              name: "\(id) \(input.name)", uri: ResourceAddress.input(project: id, input: input.inputId).uri,
              title: input.name, description: "The text extracted from input \(input.inputId) of \(id).",
              mimeType: "text/plain"))
        }
      }
    }
    return Array(out.prefix(Self.resourceListLimit))
  }

  /// The content of the resource at `uri`, for `caller`.
  func read(_ uri: String, for caller: Caller) throws -> Resource.Content {
    let address = try ResourceAddress(uri)
    guard caller.may(see: address.project) else {
      throw ServiceError.forbidden("\(caller.user) is not granted project '\(address.project)'")
    }
    return try runner.projects.with(address.project) { project in
      switch address {
      case .profile:
        let json = try CasebookJSON.encodeData(JSONNode(try project.profile()))
        return .text(String(decoding: json, as: UTF8.self), uri: address.uri, mimeType: "application/json")
      case .section(_, let section):
        return .text(try project.section(section).content, uri: address.uri, mimeType: "text/markdown")
      case .input(_, let input):
        guard let text = try project.input(input).text else {
          throw ServiceError.notFound("input \(input) has no extracted text (its format is not one Casebook reads)")
        }
        return .text(text, uri: address.uri, mimeType: "text/plain")
      }
    }
  }
}
