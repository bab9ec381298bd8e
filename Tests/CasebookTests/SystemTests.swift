import Foundation
import TestSupport
import Testing

@testable import Casebook
@testable import TextExtraction

/// The POSIX helpers that stand in for swift-corelibs-foundation, checked against Foundation's
/// own answers, and the binary that depends on their being enough.
@Suite("System helpers")
struct SystemTests {
  @Test("trimming agrees with CharacterSet.whitespaces and .whitespacesAndNewlines")
  func trimming() {
    let pieces = [
      "", " ", "\t", "\n", "\r\n", "\u{A0}", "\u{2003}", "\u{3000}", "\u{85}", "\u{2028}", "\u{B}", "a", "b c",
      "é", "—", "\u{200B}", "\u{FEFF}",
    ]
    var rng = SplitMix64(seed: 3)
    for _ in 0..<3_000 {
      // Listed pieces, and any scalar of the first 12,544 (the spaces and newlines all lie there).
      let text = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
        Bool.random(using: &rng)
          ? pieces.randomElement(using: &rng)!
          : Unicode.Scalar(UInt32.random(in: 1...0x3100, using: &rng)).map { String(Character($0)) } ?? ""
      }.joined()
      #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
      #expect(
        text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
    }
  }

  @Test("padding agrees with String(format:)")
  func padding() {
    for n in [0, 7, 42, 999, 1_000, 65_535, 1_234_567, 99_999_999] {
      #expect(n.zeroPadded(4) == String(format: "%04d", n))
      #expect(n.zeroPadded(7) == String(format: "%07d", n))
      #expect(n.hexPadded(2) == String(format: "%02x", n))
    }
    for byte in UInt8.min...UInt8.max { #expect(byte.hexPadded(2) == String(format: "%02x", byte)) }
  }

  @Test("replacingEvery matches literally, as replacingOccurrences(options: .literal), also inside CR LF")
  func replacing() {
    let pieces = ["a", "\n", "\r", "\r\n", "|", "_", "-", " ", "e", "\u{301}", "é", "\u{2028}", "ab"]
    var rng = SplitMix64(seed: 7)
    for _ in 0..<3_000 {
      let text = (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
      let target = pieces.randomElement(using: &rng)!
      let replacement = ["", "\\|", " ", "\r\n"].randomElement(using: &rng)!
      #expect(
        text.replacingEvery(target, with: replacement)
          == text.replacingOccurrences(of: target, with: replacement, options: .literal),
        "\(text.debugDescription) \(target.debugDescription)")
    }
  }

  @Test("an ATX heading loses the closing hashes the pattern \\s#+\\s*$ matched")
  func closingHashes() throws {
    let pattern = try NSRegularExpression(pattern: #"\s#+\s*$"#)
    let pieces = ["a", " ", "\t", "#", "##", "é", "x#"]
    var rng = SplitMix64(seed: 11)
    for _ in 0..<3_000 {
      let text = (0..<Int.random(in: 0...7, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
      let range = NSRange(text.startIndex..., in: text)
      let expected = pattern.stringByReplacingMatches(in: text, range: range, withTemplate: "")
      #expect(ExtractedText.withoutClosingHashes(text) == expected, "\(text.debugDescription)")
    }
  }

  @Test("an error explained: its errorDescription, a missing file by name, else as Swift prints it")
  func explanation() {
    #expect(CasebookError.badInput("no such section").explanation == "no such section")
    #expect(CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: "/x/y"]).explanation == "no such file: /x/y")
    struct Plain: Error { let detail = 3 }
    #expect(Plain().explanation == "Plain(detail: 3)")
  }

  @Test("paths: join and last component as NSString gives them")
  func paths() {
    for (folder, name) in [("a", "b"), ("a/", "b"), ("", "b"), ("/", "b"), ("/x/y", "z.yaml")] {
      #expect(System.join(folder, name) == (folder as NSString).appendingPathComponent(name))
    }
    for path in ["a", "a/b", "/a/b/", "/", "a//b//", "tmp_x", "/objects/tmp_obj"] {
      #expect(System.lastComponent(path) == (path as NSString).lastPathComponent, "\(path)")
    }
  }

  @Test("kinds, and symbolic links resolved")
  func kinds() throws {
    let dir = try TemporaryDirectory()
    let file = dir.path + "/f"
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    try FileManager.default.createSymbolicLink(atPath: dir.path + "/link", withDestinationPath: file)
    try FileManager.default.createSymbolicLink(atPath: dir.path + "/dangling", withDestinationPath: dir.path + "/none")
    #expect(System.kind(file) == .file)
    #expect(System.kind(dir.path) == .folder)
    #expect(System.isFolder(dir.path))
    #expect(System.kind(dir.path + "/link") == .file)
    #expect(System.kind(dir.path + "/dangling") == nil)
    #expect(System.kind(dir.path + "/none") == nil)
    #expect(System.kind("/dev/null") == .other)
    let real = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
    #expect(System.resolved(dir.path + "/link") == real)
    #expect(System.resolved(dir.path + "/./link") == real)
    #expect(System.resolved(dir.path + "/none") == dir.path + "/none")
  }

  @Test("the casebook binary links FoundationEssentials only, not swift-corelibs-foundation")
  func binaryLinksNoCorelibsFoundation() throws {
    // One reference to Foundation proper (FileHandle, NSString, Process, String(format:)…) links
    // all of it, with CoreFoundation and ICU, into the shipped static binary: ~3 ms of every
    // CLI start. The debug build links the same libraries dynamically, so its NEEDED list shows it.
    let readelf = Process()
    readelf.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
    readelf.arguments = ["-d", CLI.binary]
    let pipe = Pipe()
    readelf.standardOutput = pipe
    try readelf.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    readelf.waitUntilExit()
    #expect(readelf.terminationStatus == 0)
    let needed = output.split(separator: "\n").filter { $0.contains("(NEEDED)") }
    #expect(needed.contains { $0.contains("libgit2") }, "\(output)")
    for library in [
      "libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so",
      "libFoundationXML.so", "libFoundationNetworking.so",
    ] {
      #expect(!needed.contains { $0.contains("[\(library)]") }, "\(CLI.binary) needs \(library)")
    }
  }

  @Test(
    "the casebook executable leaves the CA bundle unread; a library process reads it",
    .enabled(if: SystemTests.straceWorks, "strace cannot trace here (not installed, or ptrace is not allowed)"))
  func executableDefersTheCABundle() throws {
    // libgit2 with mbedTLS parses the system CA bundle in git_libgit2_init; the executable's
    // CertificateDeferral keeps it from doing so (nothing local needs HTTPS).
    let dir = try TemporaryDirectory()
    let log = dir.appending("trace")
    let traced = try runCommand(
      "/usr/bin/strace", ["-f", "-e", "trace=open,openat", "-o", log, CLI.binary, "template", "list"],
      environment: CLI.environment(home: dir.path, user: "alice"))
    #expect(traced.status == 0, "\(traced.stderr)")
    let opened = try String(contentsOfFile: log, encoding: .utf8)
    #expect(opened.contains("libgit2"), "the trace shows no library loads: \(opened.prefix(2_000))")
    #expect(!opened.contains("ca-certificates.crt") && !opened.contains("/etc/ssl/certs"), "\(opened)")
  }

  @Test(
    "core.fsync: a casebook write fsyncs objects and references when git's setting asks, and nothing when not",
    .enabled(if: SystemTests.straceWorks, "strace cannot trace here (not installed, or ptrace is not allowed)"),
    arguments: [("all", true, true), ("loose-object", true, false), ("reference", false, true), (nil, false, false)]
      as [(String?, Bool, Bool)])
  func fsyncAsConfigured(_ value: String?, _ objects: Bool, _ references: Bool) throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    if let value { _ = try cli.git(["config", "core.fsync", value], in: repo) }
    let trace = cli.root + "/trace"
    let traced = try runCommand(
      "/usr/bin/strace",
      [
        "-f", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, CLI.binary, "exchange", "record", "--tool", "t",
        "--session", session, "--repo", repo,
      ],
      environment: CLI.environment(home: cli.root, user: "alice"))
    #expect(traced.status == 0, "\(traced.stderr)")
    let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter {
      $0.contains("fsync(") || $0.contains("fdatasync(")
    }
    let objectCalls = calls.filter { $0.contains("/.git/objects/") }
    let referenceCalls = calls.filter { $0.contains("/.git/refs/") || $0.contains("/.git/logs/") }
    #expect(objectCalls.isEmpty != objects, "objects: \(calls)")
    #expect(referenceCalls.isEmpty != references, "references: \(calls)")
    if references {
      // The session branch's lock file and its reflog, which a working-tree project keeps.
      #expect(referenceCalls.contains { $0.contains("refs/heads/sessions/\(session).lock") }, "\(calls)")
      #expect(referenceCalls.contains { $0.contains("logs/refs/heads/sessions/\(session)") }, "\(calls)")
    }
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  /// Whether strace is installed and allowed to trace (a container may forbid ptrace).
  static let straceWorks: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { return false }
    return (try? runCommand("/usr/bin/strace", ["-f", "-o", "/dev/null", "/bin/true"]))?.status == 0
  }()
}
