"""Leave-question-out lookup: how often a question the bank lacks is accepted.

For each question: copy the corpus without that question's file, look each
of its wordings (the canonical one and the alternates) up with `assay match
--corpus`, and count how many resolve to some other question instead of
being refused. Every such wording was written for a question this bank does
not hold, on a topic next to the ones it does: a larger, harder off-bank
set than `off_bank.jsonl`'s 40, for the refusal side of the confidence bar
(`lookup_left_one_out.py` measures the acceptance side).

    cargo build --release
    python3 benches/accuracy/lookup_leave_question_out.py [path/to/assay] [-v]

Needs Python 3.11+ (tomllib) and nothing else. -v lists every wording
accepted: (left-out question, accepted as, confidence, wording).
"""

import os
import shutil
import sys
import tempfile

from lookup_runs import CORPUS, arguments, match, question_files


def main() -> int:
    binary, verbose = arguments()
    accepted = total = 0
    by_question = {}
    hits = []
    with tempfile.TemporaryDirectory() as scratch:
        for f, question in question_files().items():
            corpus = os.path.join(scratch, f[: -len(".toml")])
            shutil.copytree(CORPUS, corpus)
            os.remove(os.path.join(corpus, f))
            asked = [question["question"], *question.get("wordings", [])]
            found_all = match(binary, corpus, asked)
            if found_all is None:
                return 1
            count = 0
            for wording, found in zip(asked, found_all):
                total += 1
                if found["question_id"] is not None:
                    count += 1
                    hits.append((question["id"], found["question_id"], found["confidence"], wording))
            accepted += count
            by_question[question["id"]] = (count, len(asked))
    print(f"leave-question-out: accepted {accepted}/{total} wordings of questions not in the bank")
    if verbose:
        for qid, (count, n) in sorted(by_question.items(), key=lambda kv: -kv[1][0]):
            print(f"  {qid}: {count}/{n}")
        for hit in hits:
            print(hit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
