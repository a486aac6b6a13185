"""What the lookup scripts share: where the corpus and binary are, and how
to ask `assay match --corpus` about a list of wordings.

Imported by `lookup_left_one_out.py` and `lookup_leave_question_out.py`
(Python puts a script's own directory on the import path).
"""

import json
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "corpus"))
DEFAULT_BINARY = os.path.normpath(os.path.join(HERE, "..", "..", "target", "release", "assay"))


def arguments() -> tuple[str, bool]:
    """The binary to run (first positional argument) and whether -v was given."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return (args[0] if args else DEFAULT_BINARY), "-v" in sys.argv[1:]


def question_files() -> dict[str, dict]:
    """Every question file of the corpus (not `_common.toml`), parsed, by file name."""
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".toml") and not f.startswith("_"))
    questions = {}
    for f in files:
        with open(os.path.join(CORPUS, f), "rb") as fh:
            questions[f] = tomllib.load(fh)
    return questions


def match(binary: str, corpus: str, wordings: list[str]) -> list[dict] | None:
    """`assay match --corpus corpus` on each wording, one result per wording,
    or None (with the error printed) when the binary fails."""
    run = subprocess.run(
        [binary, "match", "--corpus", corpus],
        input="".join(w.replace("\n", " ") + "\n" for w in wordings),
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return None
    return [json.loads(line) for line in run.stdout.splitlines()]
