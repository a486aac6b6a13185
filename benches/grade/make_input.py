#!/usr/bin/env python3
"""Writes a JSONL backfill for `assay grade` benchmarks: LINES answers of WORDS words.

Each line takes a row of benches/accuracy/graded.jsonl in turn (its question
id or its interviewer wording, as the row gives it) and an answer of exactly
WORDS words made of that question's graded answers, starting with the row's
own. No grades: a backfill, as an integration would send it.

Usage: make_input.py LINES WORDS > input.jsonl
"""
import json
import os
import sys
from collections import defaultdict


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lines, words = int(sys.argv[1]), int(sys.argv[2])
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "accuracy", "graded.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    by_question = defaultdict(list)
    for row in rows:
        by_question[row.get("question_id") or row.get("expected_question_id")].append(row["answer"].split())
    out = sys.stdout
    for i in range(lines):
        row = rows[i % len(rows)]
        own = row.get("question_id") or row.get("expected_question_id")
        pool = [row["answer"].split()] + by_question[own]
        text = []
        while len(text) < words:
            for answer in pool:
                text.extend(answer)
        line = {"id": f"bench-{i}", "answer": " ".join(text[:words])}
        if "question_id" in row:
            line["question_id"] = row["question_id"]
        else:
            line["question"] = row["question"]
        out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
