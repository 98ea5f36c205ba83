#!/usr/bin/env python
"""Compile data/conflict/src/*.yaml (surface-string annotations) into spec JSONL, split by document.

    python scripts/build_conflict_corpus.py                 # all sources -> data/conflict/{train,dev}.jsonl
    python scripts/build_conflict_corpus.py --check FILE..  # validate some sources, write nothing
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.authoring import compile_file  # noqa: E402
from conflict_ner.document import write_jsonl  # noqa: E402

DEV_SHARE = 5  # one document in five goes to dev, chosen by a hash of its id


def is_dev(doc_id: str) -> bool:
    return int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % DEV_SHARE == 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", nargs="*", help="validate these source files only")
    ap.add_argument("--src", default=str(ROOT / "data/conflict/src"))
    ap.add_argument("--out", default=str(ROOT / "data/conflict"))
    args = ap.parse_args(argv)
    files = [Path(f) for f in args.check] if args.check else sorted(Path(args.src).glob("*.yaml"))
    docs, problems = [], []
    for f in files:
        d, p = compile_file(f)
        docs.extend(d)
        problems.extend(p)
    ids = Counter(d.id for d in docs)
    dup = [i for i, n in ids.items() if n > 1]
    for p in problems:
        print(p, file=sys.stderr)
    for i in dup:
        print(f"duplicate document id {i!r}", file=sys.stderr)
    labels = Counter(e.label for d in docs for e in d.entities)
    words = [len(d.text.split()) for d in docs]
    print(f"{len(docs)} documents compiled, {len(problems) + len(dup)} problem(s); "
          f"entities {dict(labels)}; links {sum(len(d.relations) for d in docs)}; "
          f"words min {min(words, default=0)} max {max(words, default=0)}")
    if problems or dup:
        return 1
    if not args.check:
        out = Path(args.out)
        train = [d for d in docs if not is_dev(d.id)]
        dev = [d for d in docs if is_dev(d.id)]
        write_jsonl(train, out / "train.jsonl")
        write_jsonl(dev, out / "dev.jsonl")
        print(f"wrote {len(train)} train / {len(dev)} dev documents to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
