"""Turn a copy of public short-answer grading data into `assay grade` lines.

The data is the University of North Texas course set of Mohler, Bunescu
and Mihalcea (2011): questions with one instructor answer each, and
student answers graded 0-5 (the mean of two graders). It is not in this
repository. The copy measured (see README.md, "Public short-answer data")
is the one in github.com/dbbrandt/short_answer_granding_capstone_project:
`data/sag/questions.csv` (columns id, question, answer) and
`data/sag2/answers.csv` (columns id, answer, score, correct) at commit
b893f55754ebd66115dc2acf9b92e0209f7b7e65.

    python3 benches/accuracy/public_to_jsonl.py questions.csv answers.csv > public.jsonl
    cargo run --release -- grade --input public.jsonl

Each answer becomes a line with the question, its instructor answer as the
only reference and the grade. Odd-numbered assignments (the number before
the dot of the question id) are `tune`, even ones `test`: only the tune
half may be read row by row; the test half is read as aggregates only.
Rows whose id names no question (a few answers with line breaks the copy
split) are skipped and counted on standard error.

Needs Python 3 and nothing else.
"""

import csv
import json
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        questions = {row["id"]: row for row in csv.DictReader(f)}
    written = skipped = 0
    with open(sys.argv[2], newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            question = questions.get(row["id"])
            try:
                grade = float(row["score"])
                assignment = int(row["id"].split(".")[0])
            except (TypeError, ValueError):
                question = None
            if question is None:
                skipped += 1
                continue
            line = {
                "id": f"{row['id']}-{n}",
                "question": question["question"],
                "reference_answers": [question["answer"]],
                "answer": row["answer"],
                "grade": grade,
                "kind": "student",
                "split": "tune" if assignment % 2 else "test",
            }
            print(json.dumps(line))
            written += 1
    print(f"{written} lines written, {skipped} rows skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
