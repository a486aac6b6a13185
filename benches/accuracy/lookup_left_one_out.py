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
import sys
import tempfile

from lookup_runs import CORPUS, arguments, match, question_files


def main() -> int:
    binary, verbose = arguments()
    questions = question_files()
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
            found_all = match(binary, corpus, [w for _, w in asked])
            if found_all is None:
                return 1
            for (expected, wording), found in zip(asked, found_all):
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
