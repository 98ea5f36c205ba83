"""Compile hand-written annotation sources (surface strings, no offsets) into spec documents.

A source file is YAML: a list of documents, each

    id: syr-0001
    meta: {conflict: syria, register: wire}
    text: |-
      ...the article as published...
    entities: |-
      a1 | ACTOR | قوات النظام
      c1 | COUNT | 12 | killed
      l1 | LOCATION | ريف إدلب
      a2 | ACTOR | المدنيين | skip=1
      c2 | COUNT | عشرات | wounded | value=10
    links: |-
      c1 -> a1
      c2 -> a1, a2

Entities are listed in reading order; each one is matched at the first occurrence of its
string, on word edges, after the end of the previous entity (``skip=N`` passes over N more
occurrences). So nobody counts characters. ``value=N`` on a COUNT records the number a careful
reader takes it to mean (vague words: their lower bound, عشرات = 10); it is kept on the entity as
``value`` and scores the count-value parser. ``[NBSP]`` in text and strings stands for U+00A0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..document import Document, Entity, Problem, Relation, check_document
from ..schema import ENTITY_LABELS, OUTCOMES
from ..text.words import find_word_bounded

PLACEHOLDERS = {"[NBSP]": "\u00a0"}


def _expand(s: str) -> str:
    for k, v in PLACEHOLDERS.items():
        s = s.replace(k, v)
    return s


def compile_document(src: dict[str, Any]) -> tuple[Document | None, list[str]]:
    """One source record -> (Document, []) or (None, problems)."""
    errs: list[str] = []
    if not isinstance(src, dict) or "id" not in src or "text" not in src:
        return None, ["each document needs 'id' and 'text'"]
    text = _expand(str(src["text"]))
    entities: list[Entity] = []
    keys: dict[str, int] = {}
    cursor = 0
    for lineno, raw in enumerate(str(src.get("entities") or "").splitlines(), 1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        opts = {p.split("=", 1)[0]: p.split("=", 1)[1] for p in parts[3:] if "=" in p}
        flags = [p for p in parts[3:] if "=" not in p and p]
        if len(parts) < 3:
            errs.append(f"entities line {lineno}: expected 'key | LABEL | text', got {raw!r}")
            continue
        key, label, surface = parts[0], parts[1], _expand(parts[2])
        if label not in ENTITY_LABELS:
            errs.append(f"entities line {lineno}: unknown label {label!r}")
            continue
        if key in keys:
            errs.append(f"entities line {lineno}: key {key!r} used twice")
            continue
        outcome = None
        for fl in flags:
            if fl in OUTCOMES and label == "COUNT":
                outcome = fl
            else:
                errs.append(f"entities line {lineno}: unknown option {fl!r}")
        if label == "COUNT" and outcome is None:
            errs.append(f"entities line {lineno}: COUNT {surface!r} needs an outcome ({', '.join(OUTCOMES)})")
        pos = find_word_bounded(text, surface, cursor)
        for _ in range(int(opts.get("skip", 0))):
            if pos == -1:
                break
            pos = find_word_bounded(text, surface, pos + 1)
        if pos == -1:
            errs.append(f"entities line {lineno}: {surface!r} not found on word edges after offset {cursor}")
            continue
        cursor = pos + len(surface)
        keys[key] = len(entities)
        extra = {}
        if "value" in opts:
            if label != "COUNT" or not opts["value"].isdigit():
                errs.append(f"entities line {lineno}: value= must be a whole number on a COUNT, got {opts['value']!r}")
            else:
                extra["value"] = int(opts["value"])
        unknown = set(opts) - {"skip", "value"}
        if unknown:
            errs.append(f"entities line {lineno}: unknown option(s) {', '.join(sorted(unknown))}")
        entities.append(Entity(id=len(entities), label=label, start=pos, end=cursor, outcome=outcome, extra=extra))
    relations: list[Relation] = []
    for lineno, raw in enumerate(str(src.get("links") or "").splitlines(), 1):
        if not raw.strip():
            continue
        if "->" not in raw:
            errs.append(f"links line {lineno}: expected 'count_key -> actor_key[, actor_key]', got {raw!r}")
            continue
        head, tails = raw.split("->", 1)
        head = head.strip()
        for tail in (t.strip() for t in tails.split(",")):
            if head not in keys or tail not in keys:
                errs.append(f"links line {lineno}: unknown key {head if head not in keys else tail!r}")
                continue
            relations.append(Relation(id=len(relations), from_id=keys[head], to_id=keys[tail]))
    meta = dict(src.get("meta") or {})
    doc = Document(id=str(src["id"]), text=text, entities=entities, relations=relations, meta=meta)
    errs.extend(check_document(doc.to_json()))
    return (None if errs else doc), errs


def compile_file(path: str | Path) -> tuple[list[Document], list[Problem]]:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
        records = yaml.safe_load(source) or []
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return [], [Problem(str(path), getattr(getattr(exc, "problem_mark", None), "line", -1) + 1, None, f"invalid YAML: {exc}")]
    if not isinstance(records, list):
        return [], [Problem(str(path), 1, None, "a source file must be a YAML list of documents")]
    # Problems name the file line where the document's record starts.
    lines = [item.start_mark.line + 1 for item in node.value] if isinstance(node, yaml.SequenceNode) else []
    docs, problems = [], []
    for k, rec in enumerate(records):
        doc, errs = compile_document(rec)
        doc_id = rec.get("id") if isinstance(rec, dict) else None
        problems.extend(Problem(str(path), lines[k] if k < len(lines) else k + 1, doc_id, e) for e in errs)
        if doc is not None:
            docs.append(doc)
    return docs, problems
