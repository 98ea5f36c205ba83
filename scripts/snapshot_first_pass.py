#!/usr/bin/env python
"""Freeze the author's annotation of a batch before its second pass:
    python scripts/snapshot_first_pass.py afr   # data/conflict/src/afr_*.yaml -> data/conflict/first_pass/afr.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.authoring import compile_file  # noqa: E402
from conflict_ner.document import write_jsonl  # noqa: E402


def main(prefix: str) -> int:
    docs, problems = [], []
    for f in sorted((ROOT / "data/conflict/src").glob(f"{prefix}_*.yaml")):
        d, p = compile_file(f)
        docs += d
        problems += p
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    out = ROOT / "data/conflict/first_pass" / f"{prefix}.jsonl"
    if out.exists():
        print(f"{out} exists: the first pass is frozen once", file=sys.stderr)
        return 1
    write_jsonl(docs, out)
    print(f"{len(docs)} documents frozen to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
