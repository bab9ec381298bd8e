// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "Casebook",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "Casebook", targets: ["Casebook"]),
    .library(name: "YAML", targets: ["YAML"]),
    .library(name: "CasebookMarkdown", targets: ["CasebookMarkdown"]),
    .executable(name: "casebook", targets: ["casebook"]),
    .executable(name: "casebook-server", targets: ["casebook-server"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    // The HTTP server (casebook-server only: the casebook CLI links none of these).
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    // The MCP server (casebook-server only, like the HTTP server) and its tests' client.
    .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    // FileDescriptor, for the tests' stdio client (the SDK's own dependency).
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CGit2", pkgConfig: "libgit2",
      providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
    .systemLibrary(
      name: "CYAML", pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
    // zlib for Casebook's own zip reader (TextExtraction/ZIPReader.swift). Not "CZlib": that is
    // ZIPFoundation's own zlib module, which the tests link too.
    .systemLibrary(
      name: "CLibZ", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    // cmark-gfm, GitHub's Markdown parser, for the export. Its extensions library (tables,
    // strikethrough, autolinks, task lists) has no .pc file: module.modulemap links it.
    .systemLibrary(
      name: "CCmarkGFM", pkgConfig: "libcmark-gfm",
      providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"]), .brew(["cmark-gfm"])]),
    // fork and exec for ChildProcess: posix_spawn can neither limit the child's memory nor tie
    // its life to Casebook's (Sources/CSpawn/spawn.c).
    .target(name: "CSpawn"),
    // OpenAI's rank files (gzip, linked in by ranks.S's .incbin, found through the header search
    // path ".") and the Unicode class tables the pre-tokeniser reads (generated C: a Swift array
    // literal of this size would take the type checker minutes).
    .target(
      name: "CTokenData",
      exclude: ["o200k_base.tiktoken.gz", "cl100k_base.tiktoken.gz", "LICENSE-rank-files.txt"],
      cSettings: [.headerSearchPath(".")]),
    // Exact token counts as tiktoken gives them: no domain, no Foundation, its own error type.
    .target(name: "Tokens", dependencies: ["CTokenData", "CLibZ"]),
    .target(name: "Git", dependencies: ["CGit2"]),
    // SSH signatures as git makes and checks them (SSHSIG, allowed signers, ssh-agent, OpenSSH
    // Ed25519 key files): no git, no domain.
    .target(name: "Signing", dependencies: ["CSigning"]),
    // Ed25519, ECDSA and RSA through OpenSSL's libcrypto, which libgit2 loads already (docs/DECISIONS.md,
    // "Signed history").
    .target(name: "CSigning", linkerSettings: [.linkedLibrary("crypto")]),
    .target(name: "YAML", dependencies: ["CYAML"]),
    // Text and locators from PDF, DOCX, HTML, Markdown and plain text: no domain, its own error
    // type. YAML only to bound the size of the locator map Casebook stores as YAML.
    .target(name: "TextExtraction", dependencies: ["YAML", "CLibZ", "CSpawn"]),
    // Named so as not to clash with other packages' `Markdown` modules.
    .target(name: "CasebookMarkdown", dependencies: ["CCmarkGFM"], path: "Sources/Markdown"),
    // The skeleton templates' Mustache (named apart from swift-mustache's `Mustache`, the tests' oracle).
    .target(name: "CasebookMustache", path: "Sources/Mustache"),
    .target(
      name: "Casebook",
      dependencies: ["Git", "YAML", "TextExtraction", "CasebookMarkdown", "CasebookMustache", "Tokens", "Signing"]),
    .executableTarget(
      name: "casebook",
      dependencies: [
        "Casebook", "Git", "YAML", "Tokens",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // The store's operations as a table (ids, schemas, who may call them, how they run) and the
    // bearer tokens: what the HTTP server and the MCP server share. No HTTP here.
    .target(name: "CasebookService", dependencies: ["Casebook", "CTokenData", "Tokens", "YAML"]),
    // The Hummingbird adapter over CasebookService's table, and its executable, which
    // `casebook serve` execs so that the CLI never links Hummingbird.
    // The MCP server over CasebookService's table: tools, resources, stdio. No HTTP here: the
    // Streamable HTTP endpoint is CasebookServer's, over the SDK's own server transport.
    .target(
      name: "CasebookMCP",
      dependencies: [
        "CasebookService", "Casebook", .product(name: "MCP", package: "swift-sdk"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .target(
      name: "CasebookServer",
      dependencies: [
        "CasebookService", "CasebookMCP", "Casebook", "Git", .product(name: "MCP", package: "swift-sdk"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ]),
    .executableTarget(
      name: "casebook-server",
      dependencies: ["CasebookServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    // git_http_server.py: the web server GitHTTPServer starts with python3, found by #filePath.
    .target(
      name: "TestSupport", dependencies: ["Git", "CSpawn"], path: "Tests/TestSupport", exclude: ["git_http_server.py"]),
    .testTarget(
      name: "CasebookServerTests", dependencies: ["CasebookService", "TestSupport", "CSpawn"],
      exclude: ["validate_responses.py"]),
    // The SDK's own client against the real `casebook mcp` (stdio) and casebook-server (/mcp).
    .testTarget(
      name: "CasebookMCPTests",
      dependencies: [
        "CasebookService", "TestSupport", "CSpawn", .product(name: "MCP", package: "swift-sdk"),
        .product(name: "SystemPackage", package: "swift-system"),
      ]),
    .testTarget(name: "GitTests", dependencies: ["Git", "CGit2", "TestSupport"]),
    .testTarget(name: "SigningTests", dependencies: ["Signing", "TestSupport"]),
    .testTarget(name: "YAMLTests", dependencies: ["YAML"], exclude: ["Corpus"]),
    .testTarget(name: "TokensTests", dependencies: ["Tokens", "TestSupport"]),
    .testTarget(name: "MarkdownTests", dependencies: ["CasebookMarkdown"], exclude: ["Fixtures"]),
    .testTarget(
      name: "CasebookTests",
      dependencies: [
        // ZIPFoundation only here: it builds the DOCX fixtures and is the oracle ZIPReader is
        // checked against; the library itself reads zips without it (and so without Foundation).
        "Casebook", "TextExtraction", "CasebookMarkdown", "CasebookMustache", "Git", "YAML", "TestSupport",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        // To start casebook with no signal blocked: Foundation's Process passes on the test
        // runner's blocked signals, and a casebook deaf to SIGTERM cannot be tested for it.
        "CSpawn",
        // The skeleton renderer's oracle: Casebook's own Mustache must render as it does.
        .product(name: "Mustache", package: "swift-mustache"),
      ]),
  ]
)
