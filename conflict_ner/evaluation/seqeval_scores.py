"""Word-level (seqeval) entity scores, next to the character-exact scores of :mod:`.spans`.

Each text is cut into units on the raw text with the spec's word rule
(:func:`conflict_ner.text.windows.unit_spans`: words, and runs of punctuation), and gold and
predicted character spans become IOB2 tags over those units. A span tags every unit it
overlaps (a gold span, on word edges by the spec, covers exactly its words; a predicted span
that cuts a word is widened to the whole word, which is the one way the word view is kinder
than exact character match).

Two readings of the tag sequences, as the literature reports them:

* ``strict``: seqeval ``mode="strict"`` with the IOB2 scheme (an entity is a B- followed by
  its I-s, type and boundaries exact);
* ``lenient``: seqeval's default, the conlleval reading (an I- after O or after another
  type opens an entity).

The sequences are built from decoded spans, so they are always well-formed IOB2 and the two
readings agree; both are kept because papers report both and a future decoder may emit raw
tags. Every gold entity counts, in texts of any length: the sum of seqeval's support is
checked against the number of gold entities.
"""

from __future__ import annotations

import bisect
import warnings

from ..document import Document
from ..schema import ENTITY_LABELS
from ..text.windows import unit_spans


def span_tags(units: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> tuple[list[str], int]:
    """IOB2 tags over ``units`` for char ``spans`` (start, end, label), and how many spans got a
    unit. Overlapping spans (predictions only) keep the units of the earlier one."""
    tags = ["O"] * len(units)
    starts = [u[0] for u in units]
    ends = [u[1] for u in units]
    placed = 0
    for s, e, label in sorted(spans):
        a = bisect.bisect_right(ends, s)  # first unit ending after s
        b = bisect.bisect_left(starts, e)  # first unit starting at or after e
        while a < b and tags[a] != "O":
            a += 1
        if a >= b:
            continue
        placed += 1
        tags[a] = f"B-{label}"
        for u in range(a + 1, b):
            if tags[u] != "O":
                break
            tags[u] = f"I-{label}"
    return tags, placed


def sequences(gold: list[Document], pred: list[list[dict]], labels: tuple[str, ...] | None = None) -> tuple[list[list[str]], list[list[str]], int]:
    """Gold and predicted tag sequences (one per text with any unit), and the gold entity count."""
    keep = set(labels or ENTITY_LABELS)
    y_true, y_pred = [], []
    n_gold = 0
    for doc, ents in zip(gold, pred, strict=True):
        units, _ = unit_spans(doc.text)
        g = [(e.start, e.end, e.label) for e in doc.entities if e.label in keep]
        p = [(e["start"], e["end"], e["label"]) for e in ents if e["label"] in keep]
        gt, placed = span_tags(units, g)
        if placed != len(g):
            raise AssertionError(f"document {doc.id!r}: {len(g) - placed} gold entit(ies) cover no word unit")
        n_gold += len(g)
        if units:
            y_true.append(gt)
            y_pred.append(span_tags(units, p)[0])
    return y_true, y_pred, n_gold


def _table(report: dict, labels: tuple[str, ...]) -> dict:
    def row(d: dict | None) -> dict:
        d = d or {}
        return {"precision": round(float(d.get("precision", 0.0)), 4), "recall": round(float(d.get("recall", 0.0)), 4),
                "f1": round(float(d.get("f1-score", 0.0)), 4), "support": int(d.get("support", 0))}

    return {"micro": row(report.get("micro avg")), "macro": row(report.get("macro avg")),
            "per_label": {lab: row(report.get(lab)) for lab in labels}}


def seqeval_scores(gold: list[Document], pred: list[list[dict]], labels: tuple[str, ...] | None = None) -> dict:
    """{"strict": table, "lenient": table, "n_gold": int}; a table has micro, macro and per-label
    precision/recall/f1/support. Raises AssertionError if the support does not add up to the
    gold entity count."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    labels = tuple(labels or ENTITY_LABELS)
    y_true, y_pred, n_gold = sequences(gold, pred, labels)
    out: dict = {"n_gold": n_gold}
    for name, kwargs in (("strict", {"mode": "strict", "scheme": IOB2}), ("lenient", {})):
        if any(t != "O" for seq in y_true + y_pred for t in seq):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # seqeval warns on labels with no support
                report = classification_report(y_true, y_pred, output_dict=True, zero_division=0, **kwargs)
        else:
            report = {}
        table = _table(report, labels)
        support = sum(table["per_label"][lab]["support"] for lab in labels)
        if support != n_gold:
            raise AssertionError(f"seqeval ({name}) supports {support} gold entities, the documents hold {n_gold}")
        out[name] = table
    return out
