#!/usr/bin/env python
"""The spread of data/conflict/ (conflicts, registers, count forms, link patterns, web-text features),
second-pass agreement per batch, and consistency flags, as Markdown:

    python scripts/conflict_corpus_report.py > /tmp/report.md
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.consistency import label_conflicts, pass_agreement, unlinked_counts  # noqa: E402
from conflict_ner.counts import parse_count  # noqa: E402
from conflict_ner.document import read_jsonl  # noqa: E402
from conflict_ner.text.sentences import sentence_spans  # noqa: E402

VAGUE = re.compile(r"(عشرات|مئات|المئات|آلاف|الآلاف|ألوف)")
INDIC = re.compile(r"[٠-٩]")
WESTERN = re.compile(r"[0-9]")


def count_form(s: str) -> str:
    if VAGUE.search(s) and not re.search(r"\d|[٠-٩]", s):
        return "vague word"
    if (WESTERN.search(s) or INDIC.search(s)) and re.search(r"[\u0600-\u06ff]{3,}", s.replace("لـ", "")):
        return "compound / digits + words" if " " in s else "glued (لـ40, و13)"
    if INDIC.search(s):
        return "Arabic-Indic digits"
    if WESTERN.search(s):
        return "Western digits"
    info = parse_count(s)
    if info.value == 2 and not re.search(r"(اثن|ثنت)", s):
        return "dual (جنديان)"
    return "number words"


def table(title: str, counter: Counter, total: int | None = None) -> list[str]:
    rows = [f"| {title} | documents/mentions |", "|---|--:|"]
    rows += [f"| {k} | {v} |" for k, v in counter.most_common()]
    if total is not None:
        rows.append(f"| **total** | {total} |")
    return rows + [""]


def main() -> int:
    docs = read_jsonl(ROOT / "data/conflict/train.jsonl") + read_jsonl(ROOT / "data/conflict/dev.jsonl")
    n_dev = len(read_jsonl(ROOT / "data/conflict/dev.jsonl"))
    out = [f"{len(docs)} documents ({len(docs) - n_dev} train, {n_dev} dev, split by document id hash), "
           f"{sum(len(d.text.split()) for d in docs)} words, "
           f"{sum(len(d.entities) for d in docs)} entities, {sum(len(d.relations) for d in docs)} side links.", ""]
    out += table("conflict", Counter(d.meta.get("conflict", "?") for d in docs), len(docs))
    out += table("register", Counter(d.meta.get("register", "?") for d in docs), len(docs))
    out += table("label", Counter(e.label for d in docs for e in d.entities))
    out += table("COUNT outcome", Counter(e.outcome for d in docs for e in d.entities if e.label == "COUNT"))
    forms, quals, links = Counter(), Counter(), Counter()
    feats = Counter()
    for d in docs:
        sents = sentence_spans(d.text)

        def sent(i, sents=sents):
            return next((k for k, (s, e) in enumerate(sents) if s <= i < e), -1)

        ents = {e.id: e for e in d.entities}
        out_links: dict[int, list] = {}
        for r in d.relations:
            out_links.setdefault(r.from_id, []).append(ents[r.to_id])
        for e in d.entities:
            if e.label != "COUNT":
                continue
            surf = d.text[e.start : e.end]
            forms[count_form(surf)] += 1
            q = parse_count(surf, d.text[max(0, e.start - 40) : e.start], d.text[e.end : e.end + 40]).qualifier
            quals[q or "none"] += 1
            sides = out_links.get(e.id, [])
            if not sides:
                links["no side"] += 1
            elif len(sides) > 1:
                links["several sides"] += 1
            else:
                a = sides[0]
                if sent(a.start) == sent(e.start):
                    links["one side, same sentence"] += 1
                elif a.start < e.start:
                    links["one side, named in an earlier sentence"] += 1
                else:
                    links["one side, named later"] += 1
            before = d.text[max(0, e.start - 12) : e.start]
            if re.search(r"(بينهم|منهم)\s*$", before):
                links["subgroup (بينهم/منهم N)"] += 1
        feats["non-breaking space"] += "\u00a0" in d.text
        feats["tatweel"] += "\u0640" in d.text
        feats["diacritics"] += bool(re.search("[\u064b-\u0652]", d.text))
        feats["quoted names «» or \"\""] += bool(re.search(r"[«\"]", d.text))
    out += table("COUNT form", forms)
    out += table("qualifier", quals)
    out += table("side pattern (per COUNT)", links)
    out += table("web-text feature (documents)", feats)
    out += ["### Second pass", "", "| batch | documents | entity agreement F1 | link agreement F1 | outcome agreement | changed / first-pass annotations |", "|---|--:|--:|--:|--:|--:|"]
    tot = Counter()
    by_id = {d.id: d for d in docs}
    for fp in sorted((ROOT / "data/conflict/first_pass").glob("*.jsonl")):
        first = read_jsonl(fp)
        a = pass_agreement(first, [by_id[d.id] for d in first if d.id in by_id])
        out.append(f"| {fp.stem} | {a['documents']} | {a['entity_agreement_f1']} | {a['link_agreement_f1']} | "
                   f"{a['outcome_agreement']} | {a['changed']} / {a['annotations_first_pass']} ({a['disagreement_rate']:.1%}) |")
        tot["changed"] += a["changed"]
        tot["base"] += a["annotations_first_pass"]
    if tot["base"]:
        out += [f"| **all** | | | | | {tot['changed']} / {tot['base']} ({tot['changed'] / tot['base']:.1%}) |", ""]
    conf = label_conflicts(docs)
    multi = [c for c in conf if len(c["labels"]) > 1]
    out += ["### Consistency checker", "", f"- surfaces with more than one label: {len(multi)}; "
            f"surfaces tagged somewhere and left untagged elsewhere: {sum(1 for c in conf if c['untagged'])}",
            f"- COUNT mentions without a side link: {len(unlinked_counts(docs))} "
            f"(of {sum(e.label == 'COUNT' for d in docs for e in d.entities)})", ""]
    for c in multi[:15]:
        out.append(f"  - `{c['surface']}`: {c['labels']} (e.g. {', '.join(c['docs'][:3])})")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
