#!/usr/bin/env python
"""What each decoding step adds, on the same weights: a cumulative table, one row per step.

    python scripts/ablate_decoding.py [--model DIR] [--data conflict:dev --data conflict:train:150 ...]
                                      [--output docs/decoding_ablation.md]

Every step is a config or rule switch over one model (no retraining), so the rows differ only by
decoding. ``--data`` takes CORPUS:split[:N] (the first N documents) or a JSONL file; the default is
the project dev split, the first 150 training documents and the real dev passages. The numbers in
docs/decoding.md were produced by the default invocation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# (name, config overrides, boundary rules on, relation rules on), applied cumulatively.
STEPS = [
    ("argmax tags, span rules (before this work)",
     {"tag_decoder": "argmax", "outcome_cues": False, "share_headline_sides": False, "relation_rules": False,
      "relation_extra_threshold": 0.7}, False),
    ("+ Viterbi tags", {"tag_decoder": "viterbi"}, False),
    ("+ boundary rules", {}, True),
    ("+ outcome cue words", {"outcome_cues": True}, True),
    ("+ headline counts share sides", {"share_headline_sides": True}, True),
    ("+ relation rules", {"relation_rules": True}, True),
    ("+ thresholds re-tuned on project dev (shipped)", {"relation_extra_threshold": None}, True),
]


def load(spec: str):
    from conflict_ner.corpora.registry import load_corpus
    from conflict_ner.document import read_jsonl

    if Path(spec).is_file():
        return spec, read_jsonl(spec)
    name, _, rest = spec.partition(":")
    split, _, n = rest.partition(":")
    docs = load_corpus(name, split or "dev").documents
    return spec, docs[: int(n)] if n else docs


def outcome_accuracy(docs, pred) -> float:
    ok = total = 0
    for d, r in zip(docs, pred):
        found = {(e["start"], e["end"]): e for e in r["entities"] if e["label"] == "COUNT"}
        for g in d.entities:
            if g.label == "COUNT" and g.outcome and (g.start, g.end) in found:
                total += 1
                ok += found[(g.start, g.end)]["outcome"] == g.outcome
    return ok / total if total else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    ap.add_argument("--data", action="append", help="CORPUS:split[:N] or FILE.jsonl (repeatable)")
    ap.add_argument("--output", help="also write the Markdown table here")
    args = ap.parse_args(argv)

    import conflict_ner.boundary_rules as br
    from conflict_ner.corpora.registry import data_root
    from conflict_ner.defaults import default_model
    from conflict_ner.evaluation.evaluate import gold_entity_dicts, load_engine
    from conflict_ner.evaluation.spans import entity_scores, relation_scores

    data = args.data or ["conflict:dev", "conflict:train:150", str(data_root() / "conflict" / "dev.jsonl")]
    eng, name = load_engine(args.model or default_model(), 16, "fp32")
    cfg = eng.model.config
    shipped = {k: getattr(cfg, k) for k in ("tag_decoder", "outcome_cues", "share_headline_sides", "relation_rules",
                                            "relation_extra_threshold")}
    all_rules = br.BOUNDARY_RULES
    lines = [f"Model: `{name}`; fp32. Entity F1: exact (start, end, label); Rel: gold entities, by side; "
             "Rel+: end to end, by mention; outcome: accuracy on COUNTs found exactly.", ""]
    for spec in data:
        label, docs = load(spec)
        lines += [f"### {label} ({len(docs)} documents)", "",
                  "| step | entity F1 | ACTOR | PERSON | LOCATION | DATE | COUNT | Rel | Rel+ | outcome |",
                  "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for step, overrides, boundary in STEPS:
            for k, v in overrides.items():
                setattr(cfg, k, shipped[k] if v is None else v)
            br.BOUNDARY_RULES = all_rules if boundary else ()
            texts = [d.text for d in docs]
            pred = eng.extract(texts)
            gold = eng.extract(texts, gold_entities=[gold_entity_dicts(d) for d in docs])
            es = entity_scores(docs, [r["entities"] for r in pred])
            per = [es["per_label"][lab]["f1"] for lab in ("ACTOR", "PERSON", "LOCATION", "DATE", "COUNT")]
            rel = relation_scores(docs, gold)["by_side"]["f1"]
            rel_plus = relation_scores(docs, pred)["by_mention"]["f1"]
            row = [step, es["micro"]["f1"], *per, rel, rel_plus, outcome_accuracy(docs, pred)]
            lines.append("| " + " | ".join([row[0]] + [f"{x:.3f}" for x in row[1:]]) + " |")
            print(lines[-1], flush=True)
        lines.append("")
        for k, v in shipped.items():
            setattr(cfg, k, v)
        br.BOUNDARY_RULES = all_rules
    text = "\n".join(lines)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
