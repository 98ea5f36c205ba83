"""`conflict-ner validate FILES...`: every problem of every document, exit 1 if there is any."""

from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub):
    p = sub.add_parser("validate", help="check JSONL annotation files against the spec")
    p.add_argument("files", nargs="+", help="JSONL files (spec format) or .yaml authoring sources")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..corpora.authoring import compile_file
    from ..document import read_jsonl

    n_docs = n_problems = 0
    for f in args.files:
        path = Path(f)
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            n_problems += 1
            continue
        docs, problems = compile_file(path) if path.suffix in (".yaml", ".yml") else read_jsonl(path, strict=False)
        n_docs += len(docs)
        n_problems += len(problems)
        for p in problems:
            print(p)
    print(f"{n_docs} valid document(s), {n_problems} problem(s)", file=sys.stderr)
    return 1 if n_problems else 0
