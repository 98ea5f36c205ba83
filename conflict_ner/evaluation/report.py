"""An evaluation result as JSON, as a Markdown report, and as a short summary for a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from ..schema import ENTITY_LABELS


def write_json(result: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _f(x, digits: int = 4) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _cell(s) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(_f(c)) for c in row) + " |" for row in rows]
    return out + [""]


def relation_rows(result: dict) -> list[tuple[str, dict]]:
    """(description, P/R/F1 dict) of every relation score, headline first."""
    rel = result["relations"]
    return [
        ("Rel+ (end to end, by mention)", rel["rel_plus"]["by_mention"]),
        ("Rel+ (end to end, by side)", rel["rel_plus"]["by_side"]),
        ("Rel given gold entities, by side", rel["rel"]["by_side"]),
        ("Rel given gold entities, by mention", rel["rel"]["by_mention"]),
        ("Baseline nearest ACTOR, by side", rel["baseline_nearest_actor"]["by_side"]),
        ("Baseline nearest ACTOR, by mention", rel["baseline_nearest_actor"]["by_mention"]),
    ]


def _context(item: dict) -> str:
    return f"…{item['left']}【{item.get('text', item.get('count'))}】{item['right']}…"


def markdown(result: dict, title: str | None = None) -> str:
    meta, ents, counts = result["meta"], result["entities"], result["counts"]
    labels = meta.get("labels", list(ENTITY_LABELS))
    lines = [f"# {title or 'Evaluation'}", ""]
    about = [
        ["model", meta["model"]], ["data", meta.get("data") or "-"], ["documents", meta["n_docs"]],
        ["gold entities", meta["n_gold_entities"]],
        ["gold entities per label", ", ".join(f"{k} {v}" for k, v in meta["gold_entities_per_label"].items())],
        ["gold side links", meta["n_gold_links"]], ["predicted entities", meta["n_pred_entities"]],
        ["end-to-end time (s)", meta["time_s"]], ["tokens", meta["tokens"]], ["tokens/s", meta["tokens_per_s"]],
        ["compute", f"{meta.get('backend') or meta['compute_dtype']} on {meta['device']}, batch {meta['batch_size']}, window {meta['max_length']} tokens"],
        ["date", meta["date"]], ["conflict-ner", meta["version"]],
    ]
    lines += _table(["", ""], [[k, str(v)] for k, v in about])

    char = ents["char"]
    lines += ["## Entities: exact character spans", "",
              "A predicted entity counts when its (start, end, label) on the raw text equals a gold one.", ""]
    rows = [[lab, *(char["per_label"][lab][k] for k in ("precision", "recall", "f1", "tp", "pred", "gold"))] for lab in labels]
    m = char["micro"]
    rows.append(["**micro**", m["precision"], m["recall"], m["f1"], m["tp"], m["pred"], m["gold"]])
    rows.append(["**macro F1**", "", "", char["macro_f1"], "", "", ""])
    lines += _table(["label", "P", "R", "F1", "tp", "pred", "gold"], rows)

    seq = ents["seqeval"]
    lines += ["## Entities: word level (seqeval)", "",
              "IOB2 tags on the spec's word units of the raw text; strict is seqeval `mode='strict'` with the "
              "IOB2 scheme, lenient the conlleval reading.", ""]
    rows = []
    for lab in [*labels, "micro", "macro"]:
        s = seq["strict"]["per_label"][lab] if lab in seq["strict"]["per_label"] else seq["strict"][lab]
        le = seq["lenient"]["per_label"][lab] if lab in seq["lenient"]["per_label"] else seq["lenient"][lab]
        rows.append([lab if lab in labels else f"**{lab}**", s["precision"], s["recall"], s["f1"],
                     le["precision"], le["recall"], le["f1"], s["support"]])
    lines += _table(["label", "strict P", "strict R", "strict F1", "lenient P", "lenient R", "lenient F1", "support"], rows)

    lines += ["## Relations: `side` (COUNT → ACTOR)", "",
              "By mention: the COUNT and ACTOR spans both equal a gold link's. By side: the COUNT span equals a "
              "gold COUNT and the ACTOR's surface (leading proclitic, tatweel and diacritics removed) equals one "
              "the gold links from it. *End to end* scores the model's own entities and links; *gold entities* "
              "gives the model the gold spans; the baseline links each gold COUNT to the nearest gold ACTOR "
              "of its sentence.", ""]
    lines += _table(["setting", "P", "R", "F1", "tp", "pred", "gold"],
                    [[name, d["precision"], d["recall"], d["f1"], d["tp"], d["pred"], d["gold"]] for name, d in relation_rows(result)])

    g = counts["gold_entities"]
    lines += ["## Counts", ""]
    lines += _table(["measure", "end to end (COUNTs found exactly)", "gold COUNT spans"], [
        ["COUNTs", f"{counts['found']} of {counts['gold']}", g["found"]],
        ["outcome accuracy", counts["outcome_accuracy"], g["outcome_accuracy"]],
        ["outcomes scored", counts["outcome_n"], g["outcome_n"]],
        ["value accuracy", counts.get("value_accuracy"), g.get("value_accuracy")],
        ["values scored", counts.get("value_n", 0), g.get("value_n", 0)],
        ["parse coverage (a number read)", counts["parse_coverage"], g["parse_coverage"]],
    ])
    if counts.get("value_note"):
        lines += [f"Value accuracy: {counts['value_note']}.", ""]
    if g.get("unparsed"):
        lines += ["Gold COUNT spans the value parser reads no number from: "
                  + ", ".join(f"`{u['text']}` ({u['doc']})" for u in g["unparsed"]), ""]

    errors = result.get("errors")
    if errors:
        lines += ["## Worst errors", ""]
        e = errors["entities"]
        lines += [f"### Entities: false positives ({len(e['false_positives'])} of {e['n_false_positives']}, most confident first)", ""]
        lines += _table(["doc", "kind", "label", "in context", "score", "gold there"],
                        [[x["doc"], x["kind"], x["label"], _context(x), x["score"], "; ".join(x["gold_here"]) or "-"]
                         for x in e["false_positives"]])
        lines += [f"### Entities: false negatives ({len(e['false_negatives'])} of {e['n_false_negatives']})", ""]
        lines += _table(["doc", "kind", "label", "in context", "predicted there"],
                        [[x["doc"], x["kind"], x["label"], _context(x), "; ".join(x["predicted_here"]) or "-"]
                         for x in e["false_negatives"]])
        r = errors["relations"]
        lines += [f"### Links: false positives, by side ({len(r['false_positives'])} of {r['n_false_positives']})", ""]
        lines += _table(["doc", "count in context", "linked to", "score", "gold sides of the count"],
                        [[x["doc"], _context(x), x["actor"], x["score"],
                          ", ".join(x["gold_sides"]) or ("none" if x["count_is_gold"] else "not a gold COUNT")]
                         for x in r["false_positives"]])
        lines += [f"### Links: false negatives, by side ({len(r['false_negatives'])} of {r['n_false_negatives']})", ""]
        lines += _table(["doc", "count in context", "gold side", "COUNT found"],
                        [[x["doc"], _context(x), x["actor"], "yes" if x["count_found"] else "no"] for x in r["false_negatives"]])
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(result: dict, path: str | Path, title: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(result, title), encoding="utf-8")
    return path


def summary(result: dict, failed: list[tuple[str, float | None, float]] | None = None,
            thresholds: dict[str, float] | None = None) -> str:
    """About twenty lines for a terminal: the headline scores, then each threshold."""
    meta, ents, counts = result["meta"], result["entities"], result["counts"]
    labels = meta.get("labels", list(ENTITY_LABELS))
    tps = meta["tokens_per_s"]
    lines = [
        f"model {meta['model']}",
        f"data  {meta.get('data') or '-'}: {meta['n_docs']} docs, {meta['n_gold_entities']} gold entities, "
        f"{meta['n_gold_links']} gold links",
        f"time  {meta['time_s']:.1f} s end to end, {tps:.0f} tokens/s ({meta.get('backend') or meta['compute_dtype']}, {meta['device']})"
        if tps else f"time  {meta['time_s']:.1f} s end to end",
        f"{'':36}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}",
    ]

    def row(name: str, d: dict, gold_key: str = "gold") -> str:
        return f"{name:<36}{d['precision']:>7.3f}{d['recall']:>7.3f}{d['f1']:>7.3f}{d.get(gold_key, ''):>6}"

    lines.append(row("Entities micro (exact chars)", ents["char"]["micro"]))
    for lab in labels:
        lines.append(row(f"  {lab}", ents["char"]["per_label"][lab]))
    lines.append(row("Entities micro (seqeval strict)", ents["seqeval"]["strict"]["micro"], "support"))
    lines += [row(name, d) for name, d in relation_rows(result)[:5]]
    g = counts["gold_entities"]
    lines.append(f"Outcome accuracy {_f(counts['outcome_accuracy'], 3)} on {counts['outcome_n']} exact COUNTs "
                 f"({_f(g['outcome_accuracy'], 3)} on {g['outcome_n']} gold COUNTs)")
    if counts.get("value_n"):
        value = f"Value accuracy {_f(counts['value_accuracy'], 3)} on {counts['value_n']} exact COUNTs"
    else:
        value = "Value accuracy n/a (gold COUNTs carry no value)"
    lines.append(f"{value}; parse coverage {_f(g['parse_coverage'], 3)} of {g['parse_n']} gold COUNTs")
    if thresholds:
        bad = {name for name, _, _ in failed or []}
        from .evaluate import metric

        parts = []
        for name, bound in thresholds.items():
            value = metric(result, name)
            mark = "FAIL" if name in bad else "ok"
            parts.append(f"{name} {_f(value, 3)} {'<' if name in bad else '>='} {bound:g} {mark}")
        lines.append("fail-under: " + "; ".join(parts))
    return "\n".join(lines) + "\n"
