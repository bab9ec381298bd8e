import ArgumentParser
import Casebook
import Tokens

extension TokenEncoding: ExpressibleByArgument {}

/// `casebook tokens [FILE|-] [--encoding E]`: the exact token count of a text, as tiktoken's
/// `encode_ordinary` gives it.
struct TokensCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokens",
    abstract: "Count a text's tokens exactly as OpenAI's tiktoken does.",
    discussion: """
      Reads FILE, or standard input for '-' or no FILE (at most 16 MiB). Text that is not UTF-8
      is counted as tiktoken counts bytes.decode("utf-8", "replace"): each invalid sequence as
      U+FFFD, with a warning. Special-token text such as <|endoftext|> counts as ordinary text.
      --json prints {"tokens", "encoding", "bytes"}.
      """)

  /// Larger inputs are refused before any counting.
  static let maximumBytes = 16 << 20

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The text to count; '-' or nothing for standard input.") var file: String = "-"
  @Option(help: "o200k_base (GPT-4o and later) or cl100k_base (GPT-4, GPT-3.5).") var encoding: TokenEncoding =
    .o200kBase

  struct Result: Encodable {
    let tokens: Int
    let encoding: String
    let bytes: Int
  }

  func run() throws {
    let data = try System.readBounded(file, limit: Self.maximumBytes, what: "text")
    let tokenizer: Tokenizer
    do { tokenizer = try Tokenizer.shared(encoding) } catch { throw CasebookError.repository(error.description) }
    let count = tokenizer.count(bytes: data)
    if count.replacements > 0 {
      System.writeError(
        "warning: the text is not UTF-8: \(count.replacements) invalid sequence(s) counted as U+FFFD\n")
    }
    let result = Result(tokens: count.tokens, encoding: encoding.rawValue, bytes: count.bytes)
    try global.output.emit(result) { "\(result.tokens)" }
  }
}
