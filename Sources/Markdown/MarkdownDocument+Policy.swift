internal import CCmarkGFM

extension MarkdownDocument {
  /// The export's rules, applied to the parsed tree (not left to cmark-gfm's safe mode, which
  /// drops raw HTML silently and keeps `file:` and relative links): see `MarkdownDocument`.
  ///
  /// One walk with cmark-gfm's iterator (no recursion, so depth costs no stack) notes what to
  /// change; the tree is changed after it, in document order, so that the iterator never sees
  /// a node it has already moved.
  func applyPolicy(headingShift: Int) {
    enum Change {
      case unlink(OpaquePointer)
      case image(OpaquePointer)
      case htmlInline(OpaquePointer)
      case htmlBlock(OpaquePointer)
      case flatten(OpaquePointer)
    }
    var changes: [Change] = []
    var depth = 0
    let iterator = cmark_iter_new(root)!
    defer { cmark_iter_free(iterator) }
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
      let node = cmark_iter_get_node(iterator)!
      let type = cmark_node_get_type(node)
      let nests = type == CMARK_NODE_BLOCK_QUOTE || type == CMARK_NODE_ITEM
      if event == CMARK_EVENT_EXIT {
        if nests { depth -= 1 }
        continue
      }
      switch type {
      case CMARK_NODE_BLOCK_QUOTE, CMARK_NODE_ITEM:
        depth += 1
        if depth >= Self.maxDepth, Self.hasNestedContainer(node) {
          changes.append(.flatten(node))
          cmark_iter_reset(iterator, node, CMARK_EVENT_EXIT)  // its inside is not looked at
        }
      case CMARK_NODE_HEADING:
        let level = Int(cmark_node_get_heading_level(node))
        cmark_node_set_heading_level(node, Int32(min(6, max(1, level + headingShift))))
      case CMARK_NODE_LINK:
        if !Self.safeURL(String(cString: cmark_node_get_url(node))) { changes.append(.unlink(node)) }
      case CMARK_NODE_IMAGE: changes.append(.image(node))
      case CMARK_NODE_HTML_INLINE: changes.append(.htmlInline(node))
      case CMARK_NODE_HTML_BLOCK: changes.append(.htmlBlock(node))
      default: break
      }
    }
    for change in changes {
      switch change {
      case .unlink(let link):
        Self.replace(link, withChildrenOf: link)
      case .image(let image):
        // Its alt text, in brackets (escaped in the Markdown, so it is not read as a link).
        let children = Self.moveChildren(of: image)
        Self.replace(image, with: [Self.text("[")] + children + [Self.text("]")])
      case .htmlInline(let html):
        Self.replace(html, with: Self.textLines(Self.literal(html)))
      case .htmlBlock(let html):
        var text = Self.literal(html)
        while text.hasSuffix("\n") { text.removeLast() }
        Self.replace(html, with: [Self.paragraph(text)])
      case .flatten(let container):
        let text = Self.plainText(of: container)
        while let child = cmark_node_first_child(container) {
          cmark_node_unlink(child)
          cmark_node_free(child)
        }
        cmark_node_append_child(container, Self.paragraph(text))
      }
    }
  }

  /// A link target kept as a link: web and mail addresses and in-page anchors. Anything else
  /// (`javascript:`, `data:`, `file:`, relative paths that mean nothing in a standalone file)
  /// is dropped and the link's text kept.
  static func safeURL(_ url: String) -> Bool {
    guard !url.isEmpty, !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f }) else {
      return false
    }
    let lower = url.lowercased()
    return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
      || (lower.hasPrefix("#") && lower.count > 1)
  }

  private static func hasNestedContainer(_ node: OpaquePointer) -> Bool {
    var child = cmark_node_first_child(node)
    while let current = child {
      let type = cmark_node_get_type(current)
      if type == CMARK_NODE_BLOCK_QUOTE || type == CMARK_NODE_LIST { return true }
      child = cmark_node_next(current)
    }
    return false
  }

  private static func literal(_ node: OpaquePointer) -> String {
    cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
  }

  private static func text(_ literal: String) -> OpaquePointer {
    let node = cmark_node_new(CMARK_NODE_TEXT)!
    cmark_node_set_literal(node, literal)
    return node
  }

  /// Text nodes for `text`, its line breaks as soft breaks, so the Markdown renderer knows where
  /// lines start (and escapes what would begin a block there).
  private static func textLines(_ text: String) -> [OpaquePointer] {
    var nodes: [OpaquePointer] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if n > 0 { nodes.append(cmark_node_new(CMARK_NODE_SOFTBREAK)!) }
      if !line.isEmpty { nodes.append(Self.text(String(line))) }
    }
    return nodes
  }

  private static func paragraph(_ text: String) -> OpaquePointer {
    let paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH)!
    for node in textLines(text) { cmark_node_append_child(paragraph, node) }
    return paragraph
  }

  private static func moveChildren(of node: OpaquePointer) -> [OpaquePointer] {
    var children: [OpaquePointer] = []
    while let child = cmark_node_first_child(node) {
      cmark_node_unlink(child)
      children.append(child)
    }
    return children
  }

  private static func replace(_ node: OpaquePointer, withChildrenOf parent: OpaquePointer) {
    replace(node, with: moveChildren(of: parent))
  }

  /// Puts `nodes` where `node` was and frees `node` (and anything still under it).
  private static func replace(_ node: OpaquePointer, with nodes: [OpaquePointer]) {
    for new in nodes { cmark_node_insert_before(node, new) }
    cmark_node_unlink(node)
    cmark_node_free(node)
  }

  /// The text of a subtree, one line per line of text in it, blank lines left out.
  private static func plainText(of node: OpaquePointer) -> String {
    var out = ""
    let iterator = cmark_iter_new(node)!
    defer { cmark_iter_free(iterator) }
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
      let current = cmark_iter_get_node(iterator)!
      let type = cmark_node_get_type(current)
      if event == CMARK_EVENT_ENTER {
        switch type {
        case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_CODE_BLOCK, CMARK_NODE_HTML_INLINE, CMARK_NODE_HTML_BLOCK:
          out += literal(current)
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: out += "\n"
        default: break
        }
      } else if type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING {
        out += "\n"
      }
    }
    return out.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "\n")
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
    let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
    return String(scalars[first...last])
  }
}
