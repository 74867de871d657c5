#!/usr/bin/python3
"""Reference implementation of CLIP's "simple tokenizer" (byte-level BPE).

Written from the published description of the algorithm (OpenAI CLIP,
clip/simple_tokenizer.py): text cleaning, the pre-tokenization regex, the
bytes-to-unicode table and the rank-ordered BPE merge loop. It only tokenizes;
it never learns merges, so that the fixtures it writes check the Java
tokenizer against an independent implementation.

Run with Debian's python (/usr/bin/python3); it needs the `regex` module
(Debian package python3-regex). CLIP cleans text with ftfy.fix_text first.
Pass --ftfy DIR (a directory holding the ftfy and wcwidth packages) to use the
real ftfy; without it, this script applies ftfy's character-level fixes
itself (HTML entities ending in ';', C1 controls read as Windows-1252, Latin
ligatures, full-width forms, curly quotes, line breaks, lone surrogates,
terminal escapes, control characters, NFC) and skips mojibake repair.

  encode --vocab FILE_OR_DIR --corpus corpus.json --out expected.json
      writes, for each text, the ids, the decoded text (and of the first two
      thirds of the ids), whether it fits 77 tokens and the 77-token
      tokenization (truncated when too long), as CLIP would produce them.
"""

import argparse
import gzip
import html
import html.entities
import json
import os
import sys
import unicodedata

import regex

CONTEXT_LENGTH = 77
CLIP_MERGES = 49152 - 256 - 2


def bytes_to_unicode():
    """Printable Latin-1 bytes map to themselves, the other 68 to 256, 257, ..."""
    printable = (list(range(ord("!"), ord("~") + 1))
                 + list(range(ord("\u00a1"), ord("\u00ac") + 1))
                 + list(range(ord("\u00ae"), ord("\u00ff") + 1)))
    table = {}
    extra = 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    # CLIP orders the table printable bytes first, then the rest.
    order = printable + [b for b in range(256) if b not in printable]
    return {b: table[b] for b in order}


def read_original_merges(path, max_merges=CLIP_MERGES):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1:max_merges + 1] if line.strip()]
    base = list(bytes_to_unicode().values())
    vocab = base + [s + "</w>" for s in base] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {s: i for i, s in enumerate(vocab)}, merges


def read_hf_vocab(vocab_path):
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    merges_path = os.path.join(os.path.dirname(vocab_path), "merges.txt")
    with open(merges_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[0].startswith("#version"):
        lines = lines[1:]
    return encoder, [tuple(line.split()) for line in lines if line.strip()]


class ReferenceTokenizer:
    def __init__(self, encoder, merges, ftfy_module=None):
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        self.encoder = encoder
        self.decoder = {i: s for s, i in encoder.items()}
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.ftfy = ftfy_module
        self.pattern = regex.compile(
            r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d"
            r"|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", regex.IGNORECASE)
        self.sot = encoder["<|startoftext|>"]
        self.eot = encoder["<|endoftext|>"]

    def clean(self, text):
        text = self.ftfy.fix_text(text) if self.ftfy else fix_text_lite(text)
        text = html.unescape(html.unescape(text)).strip()
        text = regex.sub(r"\s+", " ", text).strip()
        return text.lower()

    def bpe(self, token):
        if token in ("<|startoftext|>", "<|endoftext|>"):
            return [token]
        word = list(token[:-1]) + [token[-1] + "</w>"]
        while len(word) > 1:
            best, best_rank = None, None
            for pair in zip(word, word[1:]):
                rank = self.ranks.get(pair)
                if rank is not None and (best_rank is None or rank < best_rank):
                    best, best_rank = pair, rank
            if best is None:
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        return word

    def encode(self, text):
        ids = []
        for piece in self.pattern.findall(self.clean(text)):
            symbols = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[s] for s in self.bpe(symbols))
        return ids

    def decode(self, ids):
        symbols = "".join(self.decoder[i] for i in ids)
        data = bytearray(self.byte_decoder[c] for c in symbols)
        return data.decode("utf-8", errors="replace").replace("</w>", " ")

    def tokenize_truncated(self, text, context_length=CONTEXT_LENGTH):
        tokens = [self.sot] + self.encode(text) + [self.eot]
        if len(tokens) > context_length:
            tokens = tokens[:context_length]
            tokens[-1] = self.eot
        return tokens + [0] * (context_length - len(tokens))


SINGLE_QUOTES = "\u02bc\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f"
LIGATURES = {"\u0132": "IJ", "\u0133": "ij", "\u0149": "\u02bcn", "\u01f1": "DZ",
             "\u01f2": "Dz", "\u01f3": "dz", "\u01c4": "D\u017d", "\u01c5": "D\u017e",
             "\u01c6": "d\u017e", "\u01c7": "LJ", "\u01c8": "Lj", "\u01c9": "lj",
             "\u01ca": "NJ", "\u01cb": "Nj", "\u01cc": "nj", "\ufb00": "ff", "\ufb01": "fi",
             "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "\u017ft",
             "\ufb06": "st"}
CONTROLS = set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x20)) | {0x7F} \
    | set(range(0x206A, 0x2070)) | {0xFEFF} | set(range(0xFFF9, 0xFFFD))
ENTITY = regex.compile(r"&#?[0-9A-Za-z]{1,24};")
TERMINAL_ESCAPE = regex.compile(r"\x1b\[[\d;]*[a-zA-Z]")  # \d: any decimal digit, as in ftfy


def unescape_semicolon_entities(text):
    def replace(m):
        s = m.group(0)
        name = s[1:]
        if name in html.entities.html5:
            return html.entities.html5[name]
        if name == name.upper() and name.lower() in html.entities.html5:
            if html.unescape(s) == s:
                return html.entities.html5[name.lower()].upper()
        if s.startswith("&#"):
            out = html.unescape(s)
            return s if ";" in out else out
        return s
    return ENTITY.sub(replace, text)


def fix_chars(text, unescape):
    if unescape:
        text = unescape_semicolon_entities(text)
    text = "".join(bytes([ord(c)]).decode("cp1252", errors="surrogateescape")
                   if 0x80 <= ord(c) <= 0x9F else c for c in text)
    text = "".join(chr(0x80 + (ord(c) - 0xDC80)) if 0xDC80 <= ord(c) <= 0xDC9F else c
                   for c in text)
    text = "".join(LIGATURES.get(c, c) for c in text)
    text = "".join(" " if c == "\u3000" else unicodedata.normalize("NFKC", c)
                   if 0xFF01 <= ord(c) < 0xFFF0 else c for c in text)
    text = "".join("'" if c in SINGLE_QUOTES else '"' if c in DOUBLE_QUOTES else c
                   for c in text)
    for old in ("\r\n", "\r", "\u2028", "\u2029", "\u0085"):
        text = text.replace(old, "\n")
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = TERMINAL_ESCAPE.sub("", text)
    text = "".join(c for c in text if ord(c) not in CONTROLS)
    return unicodedata.normalize("NFC", text)


def fix_text_lite(text):
    out, unescape = [], True
    for segment in regex.split(r"(?<=\n)", text):
        if "<" in segment:
            unescape = False
        while True:
            fixed = fix_chars(segment, unescape)
            if fixed == segment:
                break
            segment = fixed
        out.append(segment)
    return "".join(out)


def load(vocab, ftfy_module):
    if os.path.isdir(vocab):
        vocab = os.path.join(vocab, "vocab.json")
    if vocab.endswith(".json"):
        encoder, merges = read_hf_vocab(vocab)
    else:
        encoder, merges = read_original_merges(vocab)
    return ReferenceTokenizer(encoder, merges, ftfy_module)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["encode"])
    parser.add_argument("--vocab", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ftfy", help="directory with the ftfy package, for the real fix_text")
    args = parser.parse_args()
    ftfy_module = None
    if args.ftfy:
        sys.path.insert(0, args.ftfy)
        import ftfy as ftfy_module
    tokenizer = load(args.vocab, ftfy_module)
    with open(args.corpus, encoding="utf-8") as f:
        corpus = json.load(f)
    entries = []
    for text in corpus:
        ids = tokenizer.encode(text)
        # A prefix cut mid-character checks how invalid UTF-8 is replaced.
        entries.append({"text": text, "ids": ids, "decoded": tokenizer.decode(ids),
                        "decoded_prefix": tokenizer.decode(ids[:len(ids) * 2 // 3]),
                        "fits": len(ids) + 2 <= CONTEXT_LENGTH,
                        "tokens": tokenizer.tokenize_truncated(text)})
    header = {"context_length": CONTEXT_LENGTH, "sot": tokenizer.sot, "eot": tokenizer.eot,
              "vocab_size": len(tokenizer.encoder)}
    # One entry per line; ASCII escapes keep texts with lone surrogates writable.
    lines = [json.dumps(header)[:-1] + ', "entries": [']
    lines += [" " + json.dumps(e) + ("," if i + 1 < len(entries) else "")
              for i, e in enumerate(entries)]
    lines.append("]}")
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
