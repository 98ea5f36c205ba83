"""Consistency checks across annotated documents: the same surface labelled differently, counts
with no side link, and the agreement between two annotation passes of the same documents."""

from __future__ import annotations

from collections import Counter, defaultdict

from ..decoding import side_key
from ..document import Document
from ..text.words import word_spans


def label_conflicts(docs: list[Document], min_count: int = 1) -> list[dict]:
    """Surface strings (proclitic-stripped) tagged with more than one label, or tagged in some
    places and left untagged elsewhere."""
    labels: dict[str, Counter] = defaultdict(Counter)
    where: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        for e in d.entities:
            key = side_key(d.text[e.start : e.end])
            labels[key][e.label] += 1
            where[key].append(d.id)
    # Untagged occurrences: scan each document's word n-grams once against the tagged surfaces.
    keys = {k for k in labels if len(k) >= 4}
    max_words = max((len(k.split()) for k in keys), default=0)
    untagged: Counter = Counter()
    for d in docs:
        tagged = [(e.start, e.end) for e in d.entities]
        words = word_spans(d.text)
        for i in range(len(words)):
            for n in range(1, max_words + 1):
                if i + n > len(words):
                    break
                s, e = words[i][0], words[i + n - 1][1]
                key = side_key(d.text[s:e])
                if key in keys and not any(a <= s < b for a, b in tagged):
                    untagged[key] += 1
    out = []
    for key, c in labels.items():
        if len(c) > 1 or (untagged[key] and sum(c.values()) >= min_count):
            out.append({"surface": key, "labels": dict(c), "untagged": untagged[key], "docs": sorted(set(where[key]))[:5]})
    return sorted(out, key=lambda r: -sum(r["labels"].values()))


def unlinked_counts(docs: list[Document]) -> list[dict]:
    """COUNT mentions without a side link (allowed by the spec, but worth a second look)."""
    out = []
    for d in docs:
        linked = {r.from_id for r in d.relations}
        for e in d.entities:
            if e.label == "COUNT" and e.id not in linked:
                out.append({"doc": d.id, "text": d.text[e.start : e.end], "context": d.text[max(0, e.start - 30) : e.end + 30]})
    return out


def pass_agreement(first: list[Document], second: list[Document]) -> dict:
    """How far a second pass moved the first: entity, link and outcome agreement (F1 of the sets)
    and the share of annotations changed."""
    by_id = {d.id: d for d in second}
    e1 = e2 = e_same = l1 = l2 = l_same = o_n = o_same = 0
    for a in first:
        b = by_id.get(a.id)
        if b is None:
            continue
        sa = {(e.start, e.end, e.label) for e in a.entities}
        sb = {(e.start, e.end, e.label) for e in b.entities}
        e1, e2, e_same = e1 + len(sa), e2 + len(sb), e_same + len(sa & sb)

        def links(d):
            ents = {e.id: e for e in d.entities}
            return {((ents[r.from_id].start, ents[r.from_id].end), (ents[r.to_id].start, ents[r.to_id].end)) for r in d.relations}

        la, lb = links(a), links(b)
        l1, l2, l_same = l1 + len(la), l2 + len(lb), l_same + len(la & lb)
        oa = {(e.start, e.end): e.outcome for e in a.entities if e.label == "COUNT"}
        ob = {(e.start, e.end): e.outcome for e in b.entities if e.label == "COUNT"}
        common = oa.keys() & ob.keys()
        o_n += len(common)
        o_same += sum(oa[k] == ob[k] for k in common)

    def f1(same, x, y):
        return round(2 * same / (x + y), 4) if x + y else 1.0

    changed = (e1 - e_same) + (e2 - e_same) + (l1 - l_same) + (l2 - l_same) + (o_n - o_same)
    return {
        "documents": len([a for a in first if a.id in by_id]),
        "entity_agreement_f1": f1(e_same, e1, e2), "link_agreement_f1": f1(l_same, l1, l2),
        "outcome_agreement": round(o_same / o_n, 4) if o_n else 1.0,
        "annotations_first_pass": e1 + l1, "changed": changed,
        "disagreement_rate": round(changed / max(e1 + l1, 1), 4),
    }
