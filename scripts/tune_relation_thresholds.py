#!/usr/bin/env python
"""Choose a model's two link thresholds on a dev set (never on the data you report).

    python scripts/tune_relation_thresholds.py MODEL --data CORPUS[:split]|FILE.jsonl [--write]

A count's best side is linked at ``relation_threshold``, each further side at
``relation_extra_threshold`` (decoding.select_links), then the model's document-level side rules
(inference.decode_links). The relation head runs once, on the gold entities; every grid point then
re-decodes the kept pair scores, and is scored by Rel (gold
entities, by side: the spec's headline relation score). ``--write`` stores the best pair in
MODEL/config.json (a config change: the weights are untouched).

Measured for the built-in model on the project's dev split (84 documents, 264 gold links):
(0.5, same) Rel 0.773 -> (0.3, 0.7) Rel 0.802; on the real dev passages, not used for the choice,
0.784 -> 0.828.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

GRID_FIRST = (0.2, 0.3, 0.4, 0.5)
GRID_EXTRA = (None, 0.5, 0.6, 0.7, 0.8, 0.9)


def load_docs(spec: str):
    from conflict_ner.corpora.registry import load_corpus
    from conflict_ner.document import read_jsonl

    if Path(spec).is_file():
        return read_jsonl(spec)
    name, _, split = spec.partition(":")
    return load_corpus(name, split or "dev").documents


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--data", default="conflict:dev")
    ap.add_argument("--write", action="store_true", help="store the best thresholds in MODEL/config.json")
    args = ap.parse_args(argv)

    from conflict_ner.defaults import load_pipeline
    from conflict_ner.evaluation.evaluate import gold_entity_dicts
    from conflict_ner.evaluation.spans import relation_scores
    from conflict_ner.inference import decode_links

    docs = load_docs(args.data)
    if not any(d.relations for d in docs):
        print(f"{args.data}: no gold links to tune on", file=sys.stderr)
        return 1
    eng = load_pipeline(args.model, compute_dtype="fp32").engine(16)
    eng.keep_link_candidates = True
    res = eng.extract([d.text for d in docs], gold_entities=[gold_entity_dicts(d) for d in docs])
    rows = []
    for first in GRID_FIRST:
        for extra in GRID_EXTRA:
            if extra is not None and extra <= first:
                continue
            pred = []
            for d, r in zip(docs, res):
                links = decode_links(eng.model.config, d.text, r["entities"], r["link_candidates"], first, extra)
                pred.append({"entities": r["entities"], "relations": [{"count": c, "actor": a} for c, a, _ in links]})
            s = relation_scores(docs, pred)["by_side"]
            rows.append((s["f1"], first, extra, s["precision"], s["recall"]))
            print(f"threshold {first:.1f}  extra {'same' if extra is None else f'{extra:.1f}'}  "
                  f"Rel P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.4f}")
    f1, first, extra, _, _ = max(rows)
    print(f"best: relation_threshold {first}, relation_extra_threshold {extra} (Rel F1 {f1:.4f} on {args.data})")
    if args.write:
        path = Path(args.model) / "config.json"
        cfg = json.loads(path.read_text(encoding="utf-8"))
        cfg["relation_threshold"], cfg["relation_extra_threshold"] = first, extra
        path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
