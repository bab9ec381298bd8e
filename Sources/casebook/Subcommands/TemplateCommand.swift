import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

struct TemplateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "template", abstract: "List the gate templates and show what a template asks for.",
    subcommands: [List.self, Show.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List the templates found (CASEBOOK_TEMPLATES, the templates folder, the install path).")
    @OptionGroup var global: GlobalOptions

    struct Listed: Encodable {
      let id: String
      let title: String
      let gateStage: String
      let sectionCount: Int
      let requiredCount: Int
      let directory: String
    }

    struct Problem: Encodable {
      let name: String
      let directory: String
      let error: String
    }

    struct Listing: Encodable {
      let templates: [Listed]
      let invalid: [Problem]
    }

    func run() throws {
      var templates: [Listed] = []
      var invalid: [Problem] = []
      for entry in TemplateLibrary.standard().entries() {
        switch entry.template {
        case .success(let t):
          templates.append(
            Listed(
              id: t.id, title: t.title, gateStage: t.gateStage, sectionCount: t.sections.count,
              requiredCount: t.sections.filter(\.required).count, directory: t.directory))
        case .failure(let error):
          invalid.append(Problem(name: entry.name, directory: entry.directory, error: error.explanation))
        }
      }
      try global.output.emit(Listing(templates: templates, invalid: invalid)) {
        guard !templates.isEmpty else { return "no templates found; set CASEBOOK_TEMPLATES to a templates folder" }
        let width = max(8, templates.map(\.id.count).max() ?? 0)
        return templates.map { t in
          let count = String(t.sectionCount)
          return t.id.padded(to: width)
            + "  \(t.gateStage)  \(String(repeating: " ", count: max(0, 2 - count.count)) + count) sections  \(t.title)"
        }.joined(separator: "\n")
      }
      // Broken templates go to stderr so that the list on stdout stays clean.
      for problem in invalid where !global.json {
        System.writeError("warning: template \(problem.name) is not usable: \(problem.error)\n")
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a template's sections (required or optional) with the guidance for each.",
      discussion: "ID is a template name (gate-2) or a template folder (./our-template); a folder is validated.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A template name or folder.") var template: String

    struct Shown: Encodable {
      struct Section: Encodable {
        let order: Int
        let id: String
        let title: String
        let required: Bool
        let guidance: String?
        let questions: [String]
        let evidence: [String]
      }
      let id: String
      let title: String
      let gateStage: String
      let description: String?
      let directory: String
      let profile: JSONNode
      let sections: [Section]
    }

    func run() throws {
      let t = try TemplateLibrary.standard().template(template)
      let shown = Shown(
        id: t.id, title: t.title, gateStage: t.gateStage, description: t.description, directory: t.directory,
        profile: JSONNode(.mapping(t.profile)),
        sections: t.sections.enumerated().map { i, s in
          .init(
            order: i + 1, id: s.id, title: s.title, required: s.required, guidance: s.guidance, questions: s.questions,
            evidence: s.evidence)
        })
      try global.output.emit(shown) {
        var lines = ["\(t.id): \(t.title)", "gate: \(t.gateStage)", "folder: \(t.directory)"]
        if let description = t.description {
          lines += ["", description.trimmingWhitespace()]
        }
        if !t.profile.isEmpty { lines += ["", "profile keys added: " + t.profile.keys.joined(separator: ", ")] }
        for section in shown.sections {
          lines += [
            "", "\(section.order). \(section.id): \(section.title) (\(section.required ? "required" : "optional"))",
          ]
          if let guidance = section.guidance {
            lines += guidance.trimmingWhitespace().split(
              separator: "\n", omittingEmptySubsequences: false
            )
            .map { "   " + $0 }
          }
          if !section.questions.isEmpty { lines += ["   Questions:"] + section.questions.map { "   - " + $0 } }
          if !section.evidence.isEmpty { lines += ["   Evidence:"] + section.evidence.map { "   - " + $0 } }
        }
        return lines.joined(separator: "\n")
      }
    }
  }
}
