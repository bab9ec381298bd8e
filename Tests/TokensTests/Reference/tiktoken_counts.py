#!/usr/bin/env python3
"""The reference counts: tiktoken, with the rank files Casebook ships and the patterns and
special tokens of tiktoken's own openai_public.py; nothing is downloaded.

  tiktoken_counts.py RANK_DIR < lines    one JSON object per input line, {"text": str} or
                                         {"base64": bytes as base64, decoded as UTF-8 with
                                         errors="replace"}; prints one line per input,
                                         {"o200k_base": n, "cl100k_base": n}
  tiktoken_counts.py RANK_DIR --bench ENCODING FILE [REPEATS]
                                         prints the best MB/s of encode_ordinary on FILE
                                         (one thread) and its token count
"""
import base64
import gzip
import hashlib
import json
import sys
import time

import tiktoken
from tiktoken.load import load_tiktoken_bpe
import tiktoken_ext.openai_public as openai_public

HASHES = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}


def encoding(rank_dir, name):
    raw = gzip.open("%s/%s.tiktoken.gz" % (rank_dir, name)).read()
    assert hashlib.sha256(raw).hexdigest() == HASHES[name], name
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in raw.splitlines() if line)
    }
    # openai_public's constructor, with its loader pointed at the local ranks.
    openai_public.load_tiktoken_bpe = lambda url, expected_hash=None: ranks
    spec = getattr(openai_public, name)()
    return tiktoken.Encoding(
        name, pat_str=spec["pat_str"], mergeable_ranks=spec["mergeable_ranks"], special_tokens=spec["special_tokens"]
    )


def main():
    rank_dir = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "--bench":
        name, path = sys.argv[3], sys.argv[4]
        repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
        enc = encoding(rank_dir, name)
        text = open(path, "rb").read().decode("utf-8", errors="replace")
        size = len(text.encode("utf-8"))
        best, tokens = None, 0
        for _ in range(repeats):
            start = time.perf_counter()
            tokens = len(enc.encode_ordinary(text))
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        print(json.dumps({"tokens": tokens, "bytes": size, "seconds": best, "mb_per_s": size / best / 1e6}))
        return
    encodings = [encoding(rank_dir, name) for name in ("o200k_base", "cl100k_base")]
    out = sys.stdout
    for line in sys.stdin:
        item = json.loads(line)
        if "base64" in item:
            text = base64.b64decode(item["base64"]).decode("utf-8", errors="replace")
        else:
            text = item["text"]
        out.write(json.dumps({enc.name: len(enc.encode_ordinary(text)) for enc in encodings}) + "\n")


main()
