"""Span-level scores computed on character offsets directly, as the spec scores held-out articles.

Gold and predicted items are compared per document; every gold entity counts, wherever it is
in the text and however long the text is.
"""

from __future__ import annotations

from collections import Counter

from ..decoding import side_key
from ..document import Document
from ..schema import ENTITY_LABELS


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def entity_scores(gold: list[Document], pred: list[list[dict]]) -> dict:
    """Exact (start, end, label) match: micro, macro and per label."""
    tp, npred, ngold = Counter(), Counter(), Counter()
    for doc, ents in zip(gold, pred):
        g = {(e.start, e.end, e.label) for e in doc.entities}
        p = {(e["start"], e["end"], e["label"]) for e in ents}
        for s in g:
            ngold[s[2]] += 1
        for s in p:
            npred[s[2]] += 1
            tp[s[2]] += s in g
    # The schema's labels always; any other label (a benchmark on a corpus's own types) as well.
    labels = list(ENTITY_LABELS) + sorted((set(ngold) | set(npred)) - set(ENTITY_LABELS))
    per = {lab: prf(tp[lab], npred[lab], ngold[lab]) for lab in labels}
    micro = prf(sum(tp.values()), sum(npred.values()), sum(ngold.values()))
    present = [lab for lab in labels if ngold[lab]]
    macro = round(sum(per[lab]["f1"] for lab in present) / len(present), 4) if present else 0.0
    return {"micro": micro, "macro_f1": macro, "per_label": per}


def gold_links(doc: Document) -> tuple[set, dict]:
    """(count span, actor span) pairs, and count span -> set of side keys."""
    ents = {e.id: e for e in doc.entities}
    pairs, sides = set(), {}
    for r in doc.relations:
        c, a = ents[r.from_id], ents[r.to_id]
        pairs.add(((c.start, c.end), (a.start, a.end)))
        sides.setdefault((c.start, c.end), set()).add(side_key(doc.text[a.start : a.end]))
    return pairs, sides


def relation_scores(gold: list[Document], pred: list[dict]) -> dict:
    """'by_side' (the spec's headline score) and 'by_mention' (Rel+ style exact spans) for
    predicted results with 'entities' and 'relations' (count/actor indices)."""
    tp_m = tp_s = npred = ngold_m = ngold_s = 0
    for doc, res in zip(gold, pred):
        g_pairs, g_sides = gold_links(doc)
        ngold_m += len(g_pairs)
        ngold_s += sum(len(v) for v in g_sides.values())
        ents = res["entities"]
        seen_sides = set()
        for r in res["relations"]:
            c, a = ents[r["count"]], ents[r["actor"]]
            cs, as_ = (c["start"], c["end"]), (a["start"], a["end"])
            npred += 1
            tp_m += (cs, as_) in g_pairs
            key = (cs, side_key(doc.text[a["start"] : a["end"]]))
            if key[1] in g_sides.get(cs, ()) and key not in seen_sides:
                tp_s += 1
                seen_sides.add(key)
    return {"by_mention": prf(tp_m, npred, ngold_m), "by_side": prf(tp_s, npred, ngold_s)}


def count_scores(gold: list[Document], pred: list[dict], gold_values: list[dict] | None = None) -> dict:
    """Outcome accuracy (and value accuracy where gold values are given) on COUNT spans found exactly."""
    found = out_ok = out_n = val_ok = val_n = 0
    for k, (doc, res) in enumerate(zip(gold, pred)):
        g = {(e.start, e.end): e for e in doc.entities if e.label == "COUNT"}
        for e in res["entities"]:
            if e["label"] != "COUNT" or (e["start"], e["end"]) not in g:
                continue
            found += 1
            ge = g[(e["start"], e["end"])]
            if ge.outcome:
                out_n += 1
                out_ok += e.get("outcome") == ge.outcome
            if gold_values is not None and (e["start"], e["end"]) in gold_values[k]:
                val_n += 1
                val_ok += e.get("value") == gold_values[k][(e["start"], e["end"])]
    res = {"found": found, "outcome_accuracy": round(out_ok / out_n, 4) if out_n else None, "outcome_n": out_n}
    if gold_values is not None:
        res.update(value_accuracy=round(val_ok / val_n, 4) if val_n else None, value_n=val_n)
    return res
