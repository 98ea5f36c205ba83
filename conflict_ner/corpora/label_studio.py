"""Convert a Label Studio JSON export (NER + relations) into spec documents.

The labeling config that produces the export this module reads is in docs/annotation_guide.md
("Label Studio"). What it expects of each task:

* ``data.text`` (or ``data[text_key]``): the article as published; ``data.doc_id`` or ``data.id``
  becomes the document id (else ``ls-<task id>``), ``data.meta`` (a dict) is copied to ``meta``.
* ``annotations``: the first annotation that is not ``was_cancelled`` is used.
* ``labels`` results ``{id, type: "labels", value: {start, end, text, labels: [LABEL]}}``: one entity
  each; LABEL one of the spec's five.
* per-region ``choices`` results with ``from_name: "outcome"`` and the region's ``id``:
  ``value.choices == [OUTCOME]``, stored as the COUNT's ``outcome``.
* per-region ``textarea`` results with ``from_name: "value"`` and the region's ``id``:
  ``value.text == ["<whole number>"]``, stored as the COUNT's ``value`` (optional).
* ``relation`` results ``{type: "relation", from_id, to_id, labels: ["side"]}``: one ``side`` link.
  A relation joins a COUNT and an ACTOR; it is stored COUNT -> ACTOR whichever way it was drawn.
  Empty ``labels`` mean ``side``, the only relation the spec has.

Offsets: Label Studio's ``start``/``end`` are taken as Python string indices. When a region's
``value.text`` does not match the text at those indices but does match at the same offsets read
as UTF-16 code units (what a browser counts, different only around characters outside the BMP),
the UTF-16 reading is used. With ``trim=True`` (the default) spaces and punctuation at a region's
edges are dropped, since the spec never lets a span start or end on them; a region that cuts a
word is a problem, never silently widened.

Every problem names the task by its index in the export and its Label Studio id. Each document
is finally checked with :func:`conflict_ner.document.check_document`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..document import Document, Entity, Relation, _is_int, check_document
from ..schema import ENTITY_LABELS, OUTCOMES
from ..text.words import ends_word, is_word_char, starts_word

OUTCOME_CONTROL = "outcome"
VALUE_CONTROL = "value"
RELATION_LABEL = "side"


@dataclass(frozen=True)
class TaskProblem:
    """One thing wrong with one task of a Label Studio export."""

    index: int  # position of the task in the export list, from 0
    task_id: Any  # the task's Label Studio "id", if it has one
    doc_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"task[{self.index}]"
        if self.task_id is not None:
            where += f" (id {self.task_id})"
        if self.doc_id is not None:
            where += f" [{self.doc_id}]"
        return f"{where}: {self.message}"


class LabelStudioError(ValueError):
    def __init__(self, problems: list[TaskProblem]):
        self.problems = problems
        head = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in the Label Studio export:\n{head}{more}")




def _utf16_to_index(text: str, units: int) -> int | None:
    """The Python index at which ``units`` UTF-16 code units of ``text`` end, or None mid-character."""
    count = 0
    for i, ch in enumerate(text):
        if count == units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
        if count > units:
            return None
    return len(text) if count == units else None


def _region_name(rid: Any, surface: str | None = None) -> str:
    return f"region {rid!r}" + (f" {surface!r}" if surface else "")


def _convert_task(
    k: int, task: Any, *, text_key: str, trim: bool, require_outcome: bool, skip_unannotated: bool
) -> tuple[Document | None, list[str], Any, str | None]:
    """-> (document or None, problem messages, task id, doc id)."""
    if not isinstance(task, dict):
        return None, [f"a task must be a JSON object, got {type(task).__name__}"], None, None
    tid = task.get("id")
    data = task.get("data")
    if not isinstance(data, dict):
        return None, ["task has no 'data' object"], tid, None
    raw_id = data.get("doc_id", data.get("id"))
    if raw_id is None:
        raw_id = f"ls-{tid}" if tid is not None else f"ls-task{k}"
    doc_id = str(raw_id)
    text = data.get(text_key)
    if not isinstance(text, str):
        return None, [f"data.{text_key} must be the article text (a string)"], tid, doc_id

    anns = [a for a in (task.get("annotations") or []) if isinstance(a, dict) and not a.get("was_cancelled")]
    if not anns:
        if skip_unannotated:
            return None, [], tid, doc_id
        return None, ["no annotation (or only cancelled ones) to convert"], tid, doc_id
    result = anns[0].get("result") or []
    if not isinstance(result, list):
        return None, ["annotation 'result' must be a list"], tid, doc_id

    errs: list[str] = []
    regions: dict[Any, tuple[int, int, str]] = {}  # region id -> (start, end, label)
    outcomes: dict[Any, str] = {}
    values: dict[Any, int] = {}
    links: list[tuple[Any, Any, Any]] = []  # (from, to, direction)
    attached: list[tuple[str, Any]] = []  # (control, region id) of per-region results

    for r in result:
        if not isinstance(r, dict):
            errs.append(f"result item must be an object, got {type(r).__name__}")
            continue
        rtype = r.get("type")
        rid = r.get("id")
        value = r.get("value") if isinstance(r.get("value"), dict) else {}
        if rtype == "labels":
            labels = value.get("labels") or []
            s, t = value.get("start"), value.get("end")
            if not (_is_int(s) and _is_int(t)):
                errs.append(f"{_region_name(rid)}: 'start' and 'end' must be integers")
                continue
            if len(labels) != 1:
                errs.append(f"{_region_name(rid)}: needs exactly one label, got {labels!r}")
                continue
            label = labels[0]
            if label not in ENTITY_LABELS:
                errs.append(f"{_region_name(rid)}: unknown label {label!r} (expected one of {', '.join(ENTITY_LABELS)})")
                continue
            if rid is None or rid in regions:
                errs.append(f"{_region_name(rid)}: a labels region needs a unique 'id'")
                continue
            surface = value.get("text")
            if isinstance(surface, str) and text[s:t] != surface:
                s16, t16 = _utf16_to_index(text, s), _utf16_to_index(text, t)
                if s16 is not None and t16 is not None and text[s16:t16] == surface:
                    s, t = s16, t16
                else:
                    errs.append(f"{_region_name(rid)}: its text {surface!r} is not text[{s}:{t}] {text[s:t]!r}")
                    continue
            if not (0 <= s < t <= len(text)):
                errs.append(f"{_region_name(rid)}: offsets [{s}, {t}) out of range for a text of length {len(text)}")
                continue
            if trim:
                while s < t and not is_word_char(text[s]):
                    s += 1
                while t > s and not is_word_char(text[t - 1]):
                    t -= 1
                if s == t:
                    errs.append(f"{_region_name(rid, value.get('text'))}: holds no word")
                    continue
            regions[rid] = (s, t, label)
        elif rtype in ("choices", "textarea"):
            control = r.get("from_name")
            if rtype == "choices" and control == OUTCOME_CONTROL:
                if rid is None:
                    errs.append(f"'{OUTCOME_CONTROL}' choices are not attached to a region (use perRegion=\"true\")")
                    continue
                choices = value.get("choices") or []
                if len(choices) != 1 or choices[0] not in OUTCOMES:
                    errs.append(f"{_region_name(rid)}: outcome must be one of {', '.join(OUTCOMES)}, got {choices!r}")
                    continue
                outcomes[rid] = choices[0]
                attached.append((OUTCOME_CONTROL, rid))
            elif rtype == "textarea" and control == VALUE_CONTROL:
                if rid is None:
                    errs.append(f"'{VALUE_CONTROL}' text area is not attached to a region (use perRegion=\"true\")")
                    continue
                entered = [x.strip() for x in (value.get("text") or []) if isinstance(x, str) and x.strip()]
                if not entered:
                    continue
                if len(entered) != 1 or not entered[0].isascii() or not entered[0].isdigit():
                    errs.append(f"{_region_name(rid)}: value must be one whole number, got {entered!r}")
                    continue
                values[rid] = int(entered[0])
                attached.append((VALUE_CONTROL, rid))
            elif rid is not None and ("start" in value or "end" in value):
                errs.append(f"{_region_name(rid)}: unknown per-region control {control!r} "
                            f"(expected '{OUTCOME_CONTROL}' choices or a '{VALUE_CONTROL}' text area)")
            # task-level choices/text areas of other names (e.g. a review flag) are ignored
        elif rtype == "relation":
            labels = r.get("labels") or []
            bad = [lab for lab in labels if lab != RELATION_LABEL]
            if bad:
                errs.append(f"relation {r.get('from_id')!r} -> {r.get('to_id')!r}: unknown relation label(s) "
                            f"{bad!r} (expected '{RELATION_LABEL}')")
                continue
            links.append((r.get("from_id"), r.get("to_id"), r.get("direction", "right")))
        # other result types (ratings, rectangles, ...) carry nothing the spec stores

    for control, rid in attached:
        if rid not in regions:
            errs.append(f"{_region_name(rid)}: carries a '{control}' result but no labels region has that id")
        elif regions[rid][2] != "COUNT":
            errs.append(f"{_region_name(rid, text[regions[rid][0]:regions[rid][1]])}: "
                        f"{control} is only allowed on COUNT, found on {regions[rid][2]}")

    order = sorted(regions, key=lambda rid: (regions[rid][0], regions[rid][1]))
    eid = {rid: n for n, rid in enumerate(order)}
    entities: list[Entity] = []
    prev: tuple[Any, int, int] | None = None
    for rid in order:
        s, t, label = regions[rid]
        surface = text[s:t]
        if not is_word_char(text[s]) or not is_word_char(text[t - 1]):
            errs.append(f"{_region_name(rid, surface)}: [{s}, {t}) starts or ends on a space or punctuation")
        elif not starts_word(text, s) or not ends_word(text, t):
            errs.append(f"{_region_name(rid, surface)}: [{s}, {t}) cuts a word (spans start and end on word edges)")
        if prev is not None and s < prev[2]:
            errs.append(f"{_region_name(prev[0], text[prev[1]:prev[2]])} and {_region_name(rid, surface)} overlap")
        if prev is None or t > prev[2]:
            prev = (rid, s, t)
        outcome = outcomes.get(rid) if label == "COUNT" else None
        if label == "COUNT" and outcome is None and require_outcome:
            errs.append(f"{_region_name(rid, surface)}: COUNT needs an outcome ({', '.join(OUTCOMES)})")
        extra = {"value": values[rid]} if label == "COUNT" and rid in values else {}
        entities.append(Entity(id=eid[rid], label=label, start=s, end=t, outcome=outcome, extra=extra))

    relations: list[Relation] = []
    seen: set[tuple[int, int]] = set()
    for src, dst, direction in links:
        missing = [x for x in (src, dst) if x not in regions]
        if missing:
            errs.append(f"relation {src!r} -> {dst!r}: {', '.join(_region_name(x) for x in missing)} "
                        f"is not a labels region of this annotation")
            continue
        if direction == "left":
            src, dst = dst, src
        pair = (regions[src][2], regions[dst][2])
        if pair == ("ACTOR", "COUNT"):
            src, dst = dst, src
        elif pair != ("COUNT", "ACTOR"):
            errs.append(f"relation {src!r} -> {dst!r}: a '{RELATION_LABEL}' link joins a COUNT and an ACTOR, "
                        f"got {pair[0]} and {pair[1]}")
            continue
        key = (eid[src], eid[dst])
        if key not in seen:
            seen.add(key)
            relations.append(Relation(id=len(relations), from_id=key[0], to_id=key[1]))

    meta = dict(data["meta"]) if isinstance(data.get("meta"), dict) else {}
    if tid is not None:
        meta.setdefault("label_studio_task", tid)
    doc = Document(id=doc_id, text=text, entities=entities, relations=relations, meta=meta)
    if errs:
        return None, errs, tid, doc_id
    errs = check_document(doc.to_json())
    return (None if errs else doc), errs, tid, doc_id


def convert_label_studio(
    export: list[dict],
    *,
    strict: bool = True,
    text_key: str = "text",
    trim: bool = True,
    require_outcome: bool = True,
    skip_unannotated: bool = False,
) -> list[Document] | tuple[list[Document], list[TaskProblem]]:
    """Label Studio JSON export (a list of tasks) -> spec documents, in export order.

    strict=True returns the documents or raises :class:`LabelStudioError` listing every problem;
    strict=False returns ``(good_documents, problems)``, leaving out the tasks with problems.
    ``require_outcome`` makes a COUNT without an outcome a problem (the project's gold always has
    one); ``skip_unannotated`` passes over tasks with no usable annotation instead of reporting them.
    """
    if not isinstance(export, list):
        problems = [TaskProblem(-1, None, None, f"an export must be a JSON list of tasks, got {type(export).__name__}")]
        if strict:
            raise LabelStudioError(problems)
        return [], problems
    docs: list[Document] = []
    problems: list[TaskProblem] = []
    first: dict[str, int] = {}
    for k, task in enumerate(export):
        doc, errs, tid, doc_id = _convert_task(
            k, task, text_key=text_key, trim=trim, require_outcome=require_outcome, skip_unannotated=skip_unannotated
        )
        if doc is not None:
            if doc.id in first:
                errs = [f"duplicate document id {doc.id!r} (first in task[{first[doc.id]}])"]
                doc = None
            else:
                first[doc.id] = k
        problems.extend(TaskProblem(k, tid, doc_id, m) for m in errs)
        if doc is not None:
            docs.append(doc)
    if strict:
        if problems:
            raise LabelStudioError(problems)
        return docs
    return docs, problems
