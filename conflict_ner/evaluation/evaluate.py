"""Evaluate a model on annotated documents, every section scored by the spec's rules.

``evaluate(model, docs)`` runs the model twice over the texts (the Extractor windows long texts
itself, nothing is truncated):

1. end to end, for the entity scores (:func:`.spans.entity_scores` on raw character offsets,
   and :func:`.seqeval_scores.seqeval_scores` at word level), the relation scores ``rel_plus``
   (predicted entities and links, by mention and by side, :func:`.spans.relation_scores`) and
   the count scores on the COUNT spans found exactly;
2. on the gold entities (``Extractor.extract(texts, gold_entities=...)``), for the relation
   scores ``rel`` and the outcome/value heads on every gold COUNT.

A nearest-ACTOR-in-the-sentence baseline on the gold entities is scored beside ``rel``.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import time
from collections import Counter

from ..decoding import side_key
from ..document import Document
from ..schema import ENTITY_LABELS
from ..text.sentences import sentence_spans
from .seqeval_scores import seqeval_scores
from .spans import count_scores, entity_scores, gold_links, relation_scores

CONTEXT = 40  # raw characters shown either side of an error
NO_VALUES_NOTE = "the gold COUNT entities carry no 'value' field, so value accuracy is not measured"


# --------------------------------------------------------------------------- model


def load_engine(model_or_folder=None, batch_size: int = 16, compute_dtype: str | None = "auto", device=None):
    """(Extractor, model name) from a folder or Hub id (None: the built-in model), a
    ``conflict-extraction`` pipeline, or an Extractor."""
    from ..inference import Extractor, resolve_dtype
    from ..pipeline import ConflictExtractionPipeline

    if isinstance(model_or_folder, Extractor):
        eng = model_or_folder
        eng.batch_size = batch_size
        eng.dtype = resolve_dtype(compute_dtype, eng.device)
        eng.backend = "fp32" if str(eng.dtype) == "torch.float32" else "bf16"
        return eng, str(getattr(eng.model.config, "_name_or_path", "") or type(eng.model).__name__)
    if isinstance(model_or_folder, ConflictExtractionPipeline):
        pipe, name = model_or_folder, str(getattr(model_or_folder.model.config, "_name_or_path", ""))
    else:
        from ..defaults import default_model, load_pipeline

        name = str(model_or_folder) if model_or_folder is not None else default_model()
        pipe = load_pipeline(name, device=device, compute_dtype=compute_dtype)
    return pipe.engine(batch_size, compute_dtype), name


def _n_tokens(tokenizer, texts: list[str]) -> int:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:  # no length warnings for texts longer than the model window
        return sum(len(e.ids) for e in backend.encode_batch(texts, add_special_tokens=False))
    return sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"])


# --------------------------------------------------------------------------- pieces


def gold_entity_dicts(doc: Document) -> list[dict]:
    return [{"label": e.label, "start": e.start, "end": e.end} for e in doc.entities]


def snap_to_gold(doc: Document, result: dict) -> int:
    """Put the gold offsets back on entities returned for gold spans (they come back through the
    word units); returns how many moved, which should be 0."""
    gold = {(e.start, e.end, e.label) for e in doc.entities}
    moved = 0
    for ent in result["entities"]:
        if (ent["start"], ent["end"], ent["label"]) in gold:
            continue
        over = [g for g in doc.entities if g.label == ent["label"] and g.start < ent["end"] and ent["start"] < g.end]
        if over:
            g = max(over, key=lambda g: min(g.end, ent["end"]) - max(g.start, ent["start"]))
            ent.update(start=g.start, end=g.end, text=doc.text[g.start : g.end])
            moved += 1
    return moved


def nearest_actor_baseline(docs: list[Document]) -> list[dict]:
    """Each gold COUNT linked to the nearest gold ACTOR of its sentence (fewest characters in
    between; a tie goes to the earlier one), none if the sentence has no ACTOR."""
    out = []
    for doc in docs:
        ents = sorted(({"label": e.label, "start": e.start, "end": e.end} for e in doc.entities), key=lambda e: e["start"])
        starts = [s for s, _ in sentence_spans(doc.text)]
        sid = [bisect.bisect_right(starts, e["start"]) for e in ents]  # spans of a sentence share its number
        rels = []
        for i, c in enumerate(ents):
            if c["label"] != "COUNT":
                continue
            best = None
            for j, a in enumerate(ents):
                if a["label"] != "ACTOR" or sid[j] != sid[i]:
                    continue
                gap = a["start"] - c["end"] if a["start"] >= c["end"] else c["start"] - a["end"]
                key = (gap, a["start"] > c["start"])
                if best is None or key < best[0]:
                    best = (key, j)
            if best is not None:
                rels.append({"count": i, "actor": best[1], "label": "side", "score": 1.0})
        out.append({"entities": ents, "relations": rels})
    return out


def _coverage(ents: list[dict]) -> tuple[float | None, int]:
    counts = [e for e in ents if e["label"] == "COUNT"]
    return (round(sum(e.get("value") is not None for e in counts) / len(counts), 4) if counts else None), len(counts)


def count_section(docs: list[Document], pred: list[dict], pred_gold: list[dict]) -> dict:
    """Outcome and value accuracy, and how often the value parser reads a number, on the COUNT
    spans found exactly (end to end) and on every gold COUNT (``gold_entities``)."""
    gold_values = [{(e.start, e.end): e.extra["value"] for e in d.entities if e.label == "COUNT" and "value" in e.extra}
                   for d in docs]
    has_values = any(gold_values)
    n_gold = sum(e.label == "COUNT" for d in docs for e in d.entities)

    def found(doc: Document, res: dict) -> list[dict]:
        g = {(e.start, e.end) for e in doc.entities if e.label == "COUNT"}
        return [e for e in res["entities"] if e["label"] == "COUNT" and (e["start"], e["end"]) in g]

    e2e = count_scores(docs, pred, gold_values)
    cov, cov_n = _coverage([e for d, r in zip(docs, pred) for e in found(d, r)])
    e2e.update(gold=n_gold, parse_coverage=cov, parse_n=cov_n)
    on_gold = count_scores(docs, pred_gold, gold_values)
    gold_counts = [(d, e) for d, r in zip(docs, pred_gold) for e in found(d, r)]
    cov, cov_n = _coverage([e for _, e in gold_counts])
    on_gold.update(parse_coverage=cov, parse_n=cov_n,
                   unparsed=[{"doc": d.id, "text": e["text"], "start": e["start"], "end": e["end"]}
                             for d, e in gold_counts if e.get("value") is None][:20])
    e2e["gold_entities"] = on_gold
    e2e["has_gold_values"] = has_values
    if not has_values:
        e2e["value_note"] = NO_VALUES_NOTE
    return e2e


# --------------------------------------------------------------------------- errors


def _context(text: str, s: int, e: int, width: int) -> tuple[str, str]:
    clean = lambda t: t.replace("\n", " ").replace("\r", " ")  # noqa: E731
    return clean(text[max(0, s - width) : s]), clean(text[e : e + width])


def _overlaps(s: int, e: int, items) -> list:
    return [x for x in items if x[0] < e and s < x[1]]


def worst_errors(docs: list[Document], pred: list[dict], n: int = 20, context: int = CONTEXT,
                 labels: tuple[str, ...] | None = None) -> dict:
    """False positives and negatives with ``context`` raw characters either side.

    Entities: a false positive is ``spurious`` (no gold overlaps it), ``boundary`` (a gold entity
    of the same label overlaps it) or ``label`` (only other labels overlap); false negatives are
    ``missed``, ``boundary`` or ``label`` the same way. Relations (end to end, by side): predicted
    links whose count is no gold COUNT or whose side the gold does not give that count, and gold
    (count, side) pairs no prediction gives. False positives come most confident first; false
    negatives with nothing predicted there first.
    """
    keep = set(labels or ENTITY_LABELS)
    ent_fp, ent_fn, rel_fp, rel_fn = [], [], [], []
    for doc, res in zip(docs, pred):
        text = doc.text
        g = [(e.start, e.end, e.label) for e in doc.entities if e.label in keep]
        p = [(e["start"], e["end"], e["label"], e.get("score")) for e in res["entities"] if e["label"] in keep]
        gset, pset = set(g), {x[:3] for x in p}
        for s, e, lab, score in p:
            if (s, e, lab) in gset:
                continue
            over = _overlaps(s, e, g)
            kind = "spurious" if not over else "boundary" if any(o[2] == lab for o in over) else "label"
            left, right = _context(text, s, e, context)
            ent_fp.append({"doc": doc.id, "kind": kind, "label": lab, "text": text[s:e], "start": s, "end": e,
                           "score": score, "left": left, "right": right,
                           "gold_here": [f"{o[2]}:{text[o[0]:o[1]]}" for o in over]})
        for s, e, lab in g:
            if (s, e, lab) in pset:
                continue
            over = _overlaps(s, e, p)
            kind = "missed" if not over else "boundary" if any(o[2] == lab for o in over) else "label"
            left, right = _context(text, s, e, context)
            ent_fn.append({"doc": doc.id, "kind": kind, "label": lab, "text": text[s:e], "start": s, "end": e,
                           "left": left, "right": right, "predicted_here": [f"{o[2]}:{text[o[0]:o[1]]}" for o in over]})

        g_pairs, g_sides = gold_links(doc)
        ents = res["entities"]
        said = set()
        for r in res["relations"]:
            c, a = ents[r["count"]], ents[r["actor"]]
            cs, key = (c["start"], c["end"]), side_key(text[a["start"] : a["end"]])
            said.add((cs, key))
            if key in g_sides.get(cs, ()):
                continue
            left, right = _context(text, c["start"], c["end"], context)
            rel_fp.append({"doc": doc.id, "count": c["text"], "count_start": c["start"], "actor": a["text"],
                           "actor_start": a["start"], "score": r.get("score"), "left": left, "right": right,
                           "gold_sides": sorted(g_sides.get(cs, ())), "count_is_gold": cs in g_sides})
        by_id = {e.id: e for e in doc.entities}
        for rel in doc.relations:
            c, a = by_id[rel.from_id], by_id[rel.to_id]
            key = side_key(text[a.start : a.end])
            if ((c.start, c.end), key) in said:
                continue
            said.add(((c.start, c.end), key))  # one miss per side, as by-side scoring counts it
            left, right = _context(text, c.start, c.end, context)
            rel_fn.append({"doc": doc.id, "count": text[c.start : c.end], "count_start": c.start,
                           "actor": text[a.start : a.end], "actor_start": a.start, "left": left, "right": right,
                           "count_found": any((x["start"], x["end"]) == (c.start, c.end) for x in ents)})

    ent_fp.sort(key=lambda x: -(x["score"] or 0.0))
    ent_fn.sort(key=lambda x: x["kind"] != "missed")
    rel_fp.sort(key=lambda x: -(x["score"] or 0.0))
    rel_fn.sort(key=lambda x: x["count_found"])
    return {
        "entities": {"false_positives": ent_fp[:n], "false_negatives": ent_fn[:n],
                     "n_false_positives": len(ent_fp), "n_false_negatives": len(ent_fn)},
        "relations": {"false_positives": rel_fp[:n], "false_negatives": rel_fn[:n],
                      "n_false_positives": len(rel_fp), "n_false_negatives": len(rel_fn)},
    }


# --------------------------------------------------------------------------- the whole


def evaluate(model_or_folder, docs: list[Document], batch_size: int = 16, compute_dtype: str | None = "auto", *,
             device=None, labels: tuple[str, ...] | list[str] | None = None, data_name: str | None = None,
             n_errors: int = 20) -> dict:
    """Every score of the model on ``docs``, as a JSON-ready dict.

    ``labels`` restricts the entity scores to the labels the data annotates (a CoNLL corpus
    without COUNT, say); predictions of other labels are then left out of them.
    """
    if not docs:
        raise ValueError("no documents to evaluate")
    labels = tuple(labels or ENTITY_LABELS)
    eng, model_name = load_engine(model_or_folder, batch_size, compute_dtype, device)
    texts = [d.text for d in docs]

    t0 = time.perf_counter()
    pred = eng.extract(texts)
    t_e2e = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred_gold = eng.extract(texts, gold_entities=[gold_entity_dicts(d) for d in docs])
    t_gold = time.perf_counter() - t0
    moved = sum(snap_to_gold(d, r) for d, r in zip(docs, pred_gold))

    pred_ents = [[e for e in r["entities"] if e["label"] in labels] for r in pred]
    gold_per_label = Counter(e.label for d in docs for e in d.entities)
    n_gold = sum(gold_per_label[lab] for lab in labels)
    seq = seqeval_scores(docs, pred_ents, labels)
    assert seq["n_gold"] == n_gold, (seq["n_gold"], n_gold)

    tokens = _n_tokens(eng.tokenizer, texts)
    n_links = sum(len(gold_links(d)[0]) for d in docs)
    result = {
        "entities": {
            "char": _entity_scores_on(docs, pred_ents, labels),
            "seqeval": {"strict": seq["strict"], "lenient": seq["lenient"]},
        },
        "relations": {
            "rel": relation_scores(docs, pred_gold),
            "rel_plus": relation_scores(docs, pred),
            "baseline_nearest_actor": relation_scores(docs, nearest_actor_baseline(docs)),
            "n_gold_links": n_links,
        },
        "counts": count_section(docs, pred, pred_gold),
        "meta": {
            "n_docs": len(docs),
            "n_gold_entities": n_gold,
            "gold_entities_per_label": {lab: gold_per_label[lab] for lab in labels},
            "n_gold_links": n_links,
            "n_pred_entities": sum(len(p) for p in pred_ents),
            "labels": list(labels),
            "model": model_name,
            "data": data_name,
            "batch_size": batch_size,
            "compute_dtype": str(eng.dtype).replace("torch.", ""),
            "backend": getattr(eng, "backend", None),
            "device": str(eng.device),
            "max_length": eng.max_length,
            "time_s": round(t_e2e, 3),
            "time_gold_entities_s": round(t_gold, 3),
            "tokens": tokens,
            "tokens_per_s": round(tokens / t_e2e, 1) if t_e2e > 0 else None,
            "gold_spans_moved": moved,
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "version": _version(),
        },
    }
    result["errors"] = worst_errors(docs, pred, n_errors, labels=labels)
    return result


def _entity_scores_on(docs: list[Document], pred_ents: list[list[dict]], labels: tuple[str, ...]) -> dict:
    """entity_scores with gold restricted to ``labels`` (the per-label table keeps every label,
    zero where not annotated; the macro average is over the labels with gold, as there)."""
    if set(labels) == set(ENTITY_LABELS):
        return entity_scores(docs, pred_ents)
    keep = set(labels)
    restricted = [Document(d.id, d.text, [e for e in d.entities if e.label in keep], [], d.meta) for d in docs]
    return entity_scores(restricted, pred_ents)


def _version() -> str:
    from .. import __version__

    return __version__


# --------------------------------------------------------------------------- named metrics

# Short names for the numbers thresholds and cards refer to (any dotted path into the result works too).
METRICS: dict[str, str] = {
    "entity_f1": "entities.char.micro.f1",
    "entity_precision": "entities.char.micro.precision",
    "entity_recall": "entities.char.micro.recall",
    "entity_macro_f1": "entities.char.macro_f1",
    **{f"{lab.lower()}_f1": f"entities.char.per_label.{lab}.f1" for lab in ENTITY_LABELS},
    "seqeval_f1": "entities.seqeval.strict.micro.f1",
    "seqeval_lenient_f1": "entities.seqeval.lenient.micro.f1",
    # As PURE reports them (and the project's targets use them): Rel = links given the gold entities,
    # Rel+ = end to end from predicted entities, both spans exact. Scored by side (the spec's
    # headline) unless named _mention; rel_plus is by mention, as the spec defines Rel+.
    "rel": "relations.rel.by_side.f1",
    "rel_mention": "relations.rel.by_mention.f1",
    "rel_plus": "relations.rel_plus.by_mention.f1",
    "rel_plus_side": "relations.rel_plus.by_side.f1",
    "baseline_side": "relations.baseline_nearest_actor.by_side.f1",
    "outcome_accuracy": "counts.outcome_accuracy",
    "value_accuracy": "counts.value_accuracy",
    "parse_coverage": "counts.gold_entities.parse_coverage",
}


def metric(result: dict, name: str):
    """A number of an evaluation result by short name (:data:`METRICS`) or dotted path; KeyError
    naming the known names if there is none."""
    path = METRICS.get(name, name)
    cur = result
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise KeyError(f"unknown metric {name!r}; known: {', '.join(METRICS)} (or a dotted path into the JSON)")
        cur = cur[part]
    if cur is not None and not isinstance(cur, (int, float)):
        raise KeyError(f"metric {name!r} ({path}) is not a number")
    return cur


def parse_thresholds(spec: str) -> dict[str, float]:
    """'entity_f1=0.8,count_f1=0.9' -> {'entity_f1': 0.8, 'count_f1': 0.9}; ValueError on bad input."""
    out: dict[str, float] = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"threshold {item!r} is not NAME=VALUE")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"threshold {item!r}: {value!r} is not a number") from None
    return out


def check_thresholds(result: dict, thresholds: dict[str, float]) -> list[tuple[str, float | None, float]]:
    """(name, value, threshold) of every threshold not met; a metric that was not measured (None)
    does not meet its threshold. KeyError for an unknown name."""
    failed = []
    for name, bound in thresholds.items():
        value = metric(result, name)
        if value is None or value < bound:
            failed.append((name, value, bound))
    return failed
