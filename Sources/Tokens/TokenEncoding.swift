/// An OpenAI encoding: its rank file and its pre-tokenisation pattern.
public enum TokenEncoding: String, CaseIterable, Sendable, Codable {
  /// GPT-4o, GPT-4.1, o1, o3, o4 and later.
  case o200kBase = "o200k_base"
  /// GPT-4, GPT-3.5-turbo and the text-embedding-3 models.
  case cl100kBase = "cl100k_base"

  /// SHA-256 of the decompressed rank file, as tiktoken's `openai_public.py` pins it.
  var expectedSHA256: String {
    switch self {
    case .o200kBase: return "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
    case .cl100kBase: return "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
    }
  }
}
