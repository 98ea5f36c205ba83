#!/usr/bin/env python
"""Shrink a trained model folder for shipping (vocabulary rows news text uses, fp16 storage):

    python scripts/shrink_model.py runs/default/model conflict_ner/default_model --max-vocab 25000

The reference texts are the training corpora (public corpora and data/conflict/), never the
evaluation-only passages.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.registry import load_corpus  # noqa: E402
from conflict_ner.hub.shrink import shrink_folder  # noqa: E402

REFERENCE = [("anercorp", "train"), ("anercorp", "test"), ("wojood", "train"), ("newsfane", "train"),
             ("wikifane", "train"), ("aqmar", "train"), ("conflict", "train"), ("conflict", "dev")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--max-vocab", type=int, default=25000)
    args = ap.parse_args(argv)
    texts = []
    for name, split in REFERENCE:
        texts += [d.text for d in load_corpus(name, split).documents]
    gaz = load_corpus.__globals__["data_root"]() / "gazetteers"
    for f in sorted(gaz.glob("*.t*")):
        texts += f.read_text(encoding="utf-8", errors="replace").splitlines()
    stats = shrink_folder(args.src, args.dst, texts, args.max_vocab)
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
