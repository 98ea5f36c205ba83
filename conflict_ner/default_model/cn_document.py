"""Documents in the spec's JSONL format: model, validation with located problems, exact round trip."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cn_schema import ENTITY_LABELS, OUTCOMES, RELATION_ARGS
from .cn_words import ends_word, is_word_char, starts_word


@dataclass
class Entity:
    id: int
    label: str
    start: int
    end: int
    outcome: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys, kept for the round trip

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "label": self.label, "start_offset": self.start, "end_offset": self.end}
        if self.outcome is not None:
            d["outcome"] = self.outcome
        d.update(self.extra)
        return d


@dataclass
class Relation:
    id: int
    from_id: int
    to_id: int
    type: str = "side"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = {"id": self.id, "from_id": self.from_id, "to_id": self.to_id, "type": self.type}
        d.update(self.extra)
        return d


@dataclass
class Document:
    id: str
    text: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def entity(self, eid: int) -> Entity:
        for e in self.entities:
            if e.id == eid:
                return e
        raise KeyError(eid)

    def span_text(self, e: Entity) -> str:
        return self.text[e.start : e.end]

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "entities": [e.to_json() for e in self.entities],
            "relations": [r.to_json() for r in self.relations],
            "meta": self.meta,
        }
        d.update(self.extra)
        return d

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Document:
        """Build without checks; use :func:`parse_document` to validate."""
        ents = [
            Entity(
                id=e["id"], label=e["label"], start=e["start_offset"], end=e["end_offset"],
                outcome=e.get("outcome"),
                extra={k: v for k, v in e.items() if k not in ("id", "label", "start_offset", "end_offset", "outcome")},
            )
            for e in obj.get("entities", [])
        ]
        rels = [
            Relation(
                id=r["id"], from_id=r["from_id"], to_id=r["to_id"], type=r.get("type", "side"),
                extra={k: v for k, v in r.items() if k not in ("id", "from_id", "to_id", "type")},
            )
            for r in obj.get("relations", [])
        ]
        return cls(
            id=obj["id"], text=obj["text"], entities=ents, relations=rels, meta=obj.get("meta", {}),
            extra={k: v for k, v in obj.items() if k not in ("id", "text", "entities", "relations", "meta")},
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one document, located well enough to fix it."""

    file: str
    line: int
    doc_id: str | None
    message: str

    def __str__(self) -> str:
        doc = f" [{self.doc_id}]" if self.doc_id is not None else ""
        return f"{self.file}:{self.line}{doc}: {self.message}"


class ValidationError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s):\n{head}{more}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_document(obj: Any) -> list[str]:
    """Every problem of one parsed JSON value, as messages (no location)."""
    if not isinstance(obj, dict):
        return [f"a document must be a JSON object, got {type(obj).__name__}"]
    msgs: list[str] = []
    if "id" not in obj:
        msgs.append("missing field 'id'")
    elif not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool):
        msgs.append(f"field 'id' must be a string or integer, got {type(obj['id']).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        msgs.append("missing field 'text'" if text is None else f"field 'text' must be a string, got {type(text).__name__}")
        return msgs
    for key, typ in (("entities", list), ("relations", list), ("meta", dict)):
        if key in obj and not isinstance(obj[key], typ):
            msgs.append(f"field '{key}' must be a {typ.__name__}, got {type(obj[key]).__name__}")
    if msgs:
        return msgs

    ents: dict[Any, dict] = {}
    spans: list[tuple[int, int, Any]] = []
    for k, e in enumerate(obj.get("entities", [])):
        where = f"entity #{k}"
        if not isinstance(e, dict):
            msgs.append(f"{where}: must be an object, got {type(e).__name__}")
            continue
        if "id" in e:
            where = f"entity {e['id']!r}"
        bad = False
        for key in ("id", "start_offset", "end_offset"):
            if key not in e:
                msgs.append(f"{where}: missing field '{key}'"); bad = True
            elif not _is_int(e[key]):
                msgs.append(f"{where}: field '{key}' must be an integer, got {type(e[key]).__name__}"); bad = True
        label = e.get("label")
        if not isinstance(label, str):
            msgs.append(f"{where}: field 'label' must be a string"); bad = True
        elif label not in ENTITY_LABELS:
            msgs.append(f"{where}: unknown label {label!r} (expected one of {', '.join(ENTITY_LABELS)})"); bad = True
        if "outcome" in e and e["outcome"] is not None:
            if label != "COUNT":
                msgs.append(f"{where}: 'outcome' is only allowed on COUNT, found on {label}")
            elif e["outcome"] not in OUTCOMES:
                msgs.append(f"{where}: unknown outcome {e['outcome']!r} (expected one of {', '.join(OUTCOMES)})")
        if bad:
            continue
        if e["id"] in ents:
            msgs.append(f"{where}: duplicate entity id {e['id']}")
        ents[e["id"]] = e
        s, t = e["start_offset"], e["end_offset"]
        if not (0 <= s < t <= len(text)):
            msgs.append(f"{where}: offsets [{s}, {t}) out of range for a text of length {len(text)}")
            continue
        surface = text[s:t]
        if not is_word_char(text[s]) or not is_word_char(text[t - 1]):
            msgs.append(f"{where}: span {surface!r} [{s}, {t}) starts or ends on punctuation or space")
        elif not starts_word(text, s) or not ends_word(text, t):
            msgs.append(f"{where}: span {surface!r} [{s}, {t}) cuts a word")
        spans.append((s, t, e["id"]))
    spans.sort()
    for (s1, t1, i1), (s2, t2, i2) in zip(spans, spans[1:]):
        if s2 < t1:
            msgs.append(f"entities {i1} [{s1}, {t1}) and {i2} [{s2}, {t2}) overlap")

    rel_ids: set[Any] = set()
    for k, r in enumerate(obj.get("relations", [])):
        where = f"relation #{k}"
        if not isinstance(r, dict):
            msgs.append(f"{where}: must be an object, got {type(r).__name__}")
            continue
        if "id" in r:
            where = f"relation {r['id']!r}"
        bad = False
        for key in ("id", "from_id", "to_id"):
            if key not in r:
                msgs.append(f"{where}: missing field '{key}'"); bad = True
            elif not _is_int(r[key]):
                msgs.append(f"{where}: field '{key}' must be an integer, got {type(r[key]).__name__}"); bad = True
        if bad:
            continue
        if r["id"] in rel_ids:
            msgs.append(f"{where}: duplicate relation id {r['id']}")
        rel_ids.add(r["id"])
        rtype = r.get("type", "side")
        if not isinstance(rtype, str) or rtype not in RELATION_ARGS:
            msgs.append(f"{where}: unknown relation type {rtype!r}")
            continue
        head, tail = RELATION_ARGS[rtype]
        src, dst = ents.get(r["from_id"]), ents.get(r["to_id"])
        if src is None:
            msgs.append(f"{where}: from_id {r['from_id']} names no entity")
        if dst is None:
            msgs.append(f"{where}: to_id {r['to_id']} names no entity")
        if src is not None and dst is not None and (src["label"], dst["label"]) != (head, tail):
            msgs.append(f"{where}: a '{rtype}' relation must go {head} -> {tail}, got {src['label']} -> {dst['label']}")
    return msgs


def collect_documents(records: Iterable[tuple[int, Any]], source: str, problems: list[Problem],
                      unit: str = "line") -> list[Document]:
    """Validate (location, JSON value) records, appending every problem to ``problems`` and
    returning the good documents; a repeated id is a problem of the later record. ``unit``
    names the location in messages ("line" for files, "row" for datasets)."""
    docs: list[Document] = []
    seen: dict[Any, int] = {}
    prefix = "" if unit == "line" else f"{unit} "
    for loc, obj in records:
        doc_id = obj.get("id") if isinstance(obj, dict) else None
        msgs = check_document(obj)
        if doc_id is not None and not msgs:
            if doc_id in seen:
                msgs.append(f"duplicate document id {doc_id!r} (first {'on' if unit == 'line' else 'in'} {unit} {seen[doc_id]})")
            else:
                seen[doc_id] = loc
        if msgs:
            lead = f"{prefix}{loc}: " if prefix else ""
            problems.extend(Problem(source, loc, None if doc_id is None else str(doc_id), lead + m) for m in msgs)
            continue
        docs.append(Document.from_json(obj))
    return docs


def parse_lines(lines: Iterable[str | bytes], source: str = "<string>") -> tuple[list[Document], list[Problem]]:
    problems: list[Problem] = []

    def records():
        for lineno, line in enumerate(lines, 1):
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    problems.append(Problem(source, lineno, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start} of the line)"))
                    continue
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(source, lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})"))

    docs = collect_documents(records(), source, problems)
    return docs, problems


def read_jsonl(path: str | Path, strict: bool = True) -> list[Document] | tuple[list[Document], list[Problem]]:
    """Read and validate a JSONL file.

    strict=True returns the documents or raises :class:`ValidationError` listing every problem;
    strict=False returns ``(good_documents, problems)``, skipping the bad documents.
    """
    path = Path(path)
    with open(path, "rb") as f:  # decoded line by line, so one bad byte costs one document, not the file
        docs, problems = parse_lines(f, str(path))
    if strict:
        if problems:
            raise ValidationError(problems)
        return docs
    return docs, problems


def iter_jsonl_objects(path: str | Path) -> Iterator[tuple[int, dict]]:
    """(line number, JSON object) for each non-blank line; raises ValueError naming file and line."""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from None


def dumps(doc: Document) -> str:
    return json.dumps(doc.to_json(), ensure_ascii=False)


def write_jsonl(docs: Iterable[Document], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(dumps(d) + "\n")
