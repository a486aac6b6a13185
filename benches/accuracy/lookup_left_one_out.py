"""Left-one-out question lookup over the corpus's own wordings.

For k = 0, 1, ...: copy the corpus without the k-th alternate wording of
every question, look each removed wording up with `assay match --corpus`,
and count how many rank their own question first and how many resolve to
it (pass the confidence bar). A wording the index has never seen, written
by someone who meant that question: a measure of how the lookup
generalises, which the graded set's 200 wordings alone cannot give.

    cargo build --release
    python3 benches/accuracy/lookup_left_one_out.py [path/to/assay] [-v]

Needs Python 3.11+ (tomllib) and nothing else. -v lists every wording not
resolved to its question: (expected, resolved, ranked first, wording).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "corpus"))
DEFAULT_BINARY = os.path.normpath(os.path.join(HERE, "..", "..", "target", "release", "assay"))


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    binary = args[0] if args else DEFAULT_BINARY
    verbose = "-v" in sys.argv[1:]
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".toml") and not f.startswith("_"))
    questions = {}
    for f in files:
        with open(os.path.join(CORPUS, f), "rb") as fh:
            questions[f] = tomllib.load(fh)
    rounds = max(len(q.get("wordings", [])) for q in questions.values())
    ranked = resolved = total = 0
    misses = []
    with tempfile.TemporaryDirectory() as scratch:
        for k in range(rounds):
            corpus = os.path.join(scratch, f"corpus-{k}")
            shutil.copytree(CORPUS, corpus)
            asked = []
            for f, q in questions.items():
                wordings = q.get("wordings", [])
                if k >= len(wordings):
                    continue
                with open(os.path.join(CORPUS, f), encoding="utf-8") as fh:
                    lines = fh.read().split("\n")
                # Each wording sits on a line of its own as a TOML basic string.
                written = json.dumps(wordings[k], ensure_ascii=False)
                kept = [line for line in lines if line.strip().rstrip(",") != written]
                if len(kept) != len(lines) - 1:
                    print(f"{f}: wording {k} is not on a line of its own; skipped", file=sys.stderr)
                    continue
                with open(os.path.join(corpus, f), "w", encoding="utf-8") as fh:
                    fh.write("\n".join(kept))
                asked.append((q["id"], wordings[k]))
            run = subprocess.run(
                [binary, "match", "--corpus", corpus],
                input="".join(w + "\n" for _, w in asked),
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                print(run.stderr, file=sys.stderr)
                return 1
            for (expected, wording), line in zip(asked, run.stdout.splitlines()):
                found = json.loads(line)
                first = found["candidates"][0]["question_id"] if found["candidates"] else None
                total += 1
                ranked += first == expected
                resolved += found["question_id"] == expected
                if found["question_id"] != expected:
                    misses.append((expected, found["question_id"], first, wording))
    print(f"left-one-out: ranked first {ranked}/{total}, resolved {resolved}/{total}")
    if verbose:
        for miss in misses:
            print(miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
