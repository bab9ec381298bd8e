import Foundation

/// The repository and the reference implementation: tiktoken in the `.venv` that
/// `make test-venv` makes, run by `Reference/tiktoken_counts.py` on the rank files in
/// Sources/CTokenData.
public enum Reference {
  public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
  public static let python = repository + "/.venv/bin/python"
  public static let available = FileManager.default.isExecutableFile(atPath: python)
  public static let calibration = repository + "/../shared/calibration/tokens.jsonl"
  public static let hasCalibration = FileManager.default.fileExists(atPath: calibration)

  /// tiktoken's counts, per input: each is text or bytes (decoded with errors="replace").
  public static func counts(texts: [String] = [], bytes: [[UInt8]] = []) throws -> [[String: Int]] {
    var input = Data()
    for text in texts {
      input += try JSONSerialization.data(withJSONObject: ["text": text], options: [.fragmentsAllowed]) + [0x0a]
    }
    for item in bytes {
      input += try JSONSerialization.data(withJSONObject: ["base64": Data(item).base64EncodedString()]) + [0x0a]
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [
      repository + "/Tests/TokensTests/Reference/tiktoken_counts.py", repository + "/Sources/CTokenData",
    ]
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    let payload = input
    let writer = Thread {
      stdin.fileHandleForWriting.write(payload)
      try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ReferenceFailure(status: process.terminationStatus) }
    return try output.split(separator: 0x0a).map {
      try JSONSerialization.jsonObject(with: Data($0)) as! [String: Int]
    }
  }

  public struct ReferenceFailure: Error { public let status: Int32 }
}
