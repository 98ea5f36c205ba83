#!/usr/bin/env python
"""Score a model trained with configs/anercorp_benchmark.yaml on ANERcorp test with the corpus's
own four labels (PERS, LOC, ORG, MISC), seqeval strict and lenient, comparable with published numbers:

    python scripts/evaluate_anercorp_benchmark.py runs/anercorp_benchmark/model --out runs/eval/anercorp_benchmark
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.registry import corpus_config, load_corpus  # noqa: E402
from conflict_ner.evaluation.evaluate import evaluate  # noqa: E402
from conflict_ner.evaluation.report import markdown, summary, write_json  # noqa: E402

LABELS = ["PERS", "LOC", "ORG", "MISC"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--out", default="runs/eval/anercorp_benchmark")
    args = ap.parse_args(argv)
    cfg = {**corpus_config("anercorp"), "label_map": {k: k for k in LABELS}, "labels": LABELS, "annotates": LABELS}
    docs = load_corpus("anercorp", "test", config=cfg).documents
    result = evaluate(args.model, docs, compute_dtype="fp32", labels=tuple(LABELS))
    result["meta"]["data"] = "anercorp:test (native PERS/LOC/ORG/MISC)"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(result, out.with_suffix(".json"))
    out.with_suffix(".md").write_text(markdown(result, "ANERcorp 4-class benchmark"), encoding="utf-8")
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
