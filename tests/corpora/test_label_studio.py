"""Label Studio export -> spec documents, on small exports written for these tests.

The Arabic sentences are made up for the tests; the export layout is Label Studio's JSON export
of an NER + relations project with per-region outcome choices and value text areas (the labeling
config in docs/annotation_guide.md).
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conflict_ner.corpora.label_studio import LabelStudioError, convert_label_studio
from conflict_ner.document import check_document, dumps, parse_lines, read_jsonl
from conflict_ner.schema import ENTITY_LABELS, OUTCOMES

ROOT = Path(__file__).resolve().parents[2]

TEXT = ("دير الزور - (وكالة الفرات) - قُتل تسعة مدنيين، بينهم طفلان، وأُسر 4 من عناصر «جيش العشائر»، "
        "الاثنين، في هجوم شنته خلايا التنظيم على قرية الصبحة.")


def region(rid: str, label: str, surface: str, text: str = TEXT, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": start + len(surface), "text": surface, "labels": [label]}}


def outcome(reg: dict, choice: str) -> dict:
    v = reg["value"]
    return {"id": reg["id"], "from_name": "outcome", "to_name": "text", "type": "choices",
            "value": {"start": v["start"], "end": v["end"], "text": v["text"], "choices": [choice]}}


def value(reg: dict, number: str) -> dict:
    v = reg["value"]
    return {"id": reg["id"], "from_name": "value", "to_name": "text", "type": "textarea",
            "value": {"start": v["start"], "end": v["end"], "text": [number]}}


def relation(src: str, dst: str, direction: str = "right", labels=("side",)) -> dict:
    return {"from_id": src, "to_id": dst, "type": "relation", "direction": direction, "labels": list(labels)}


def task(result: list[dict], text: str = TEXT, tid: int = 7, **data) -> dict:
    return {"id": tid, "data": {"text": text, **data},
            "annotations": [{"id": 100 + tid, "was_cancelled": False, "result": result}]}


def full_result() -> list[dict]:
    l1 = region("l1", "LOCATION", "دير الزور")
    a1 = region("a1", "ACTOR", "وكالة الفرات")
    c1 = region("c1", "COUNT", "تسعة")
    a2 = region("a2", "ACTOR", "مدنيين")
    c2 = region("c2", "COUNT", "طفلان")
    c3 = region("c3", "COUNT", "4")
    a3 = region("a3", "ACTOR", "عناصر «جيش العشائر»")  # selected with the closing quote: trimmed
    d1 = region("d1", "DATE", "الاثنين")
    a4 = region("a4", "ACTOR", "خلايا التنظيم")
    l2 = region("l2", "LOCATION", "قرية الصبحة")
    # Label Studio lists results in the order they were made, not in reading order.
    return [a4, c3, l1, a1, c1, a2, c2, a3, d1, l2,
            outcome(c1, "killed"), outcome(c2, "killed"), value(c2, "2"), outcome(c3, "captured"),
            relation("c1", "a2"),
            relation("a2", "c2"),  # drawn from the ACTOR to the COUNT: stored COUNT -> ACTOR
            relation("c3", "a3", direction="left")]


def by_surface(doc):
    return {doc.span_text(e): e for e in doc.entities}


def test_labels_offsets_outcomes_values_and_links():
    [doc] = convert_label_studio([task(full_result(), doc_id="ls-syr-1", meta={"source": "test"})])
    assert doc.id == "ls-syr-1"
    assert doc.meta == {"source": "test", "label_studio_task": 7}
    spans = [(doc.span_text(e), e.label) for e in doc.entities]
    assert spans == [("دير الزور", "LOCATION"), ("وكالة الفرات", "ACTOR"), ("تسعة", "COUNT"), ("مدنيين", "ACTOR"),
                     ("طفلان", "COUNT"), ("4", "COUNT"), ("عناصر «جيش العشائر", "ACTOR"), ("الاثنين", "DATE"),
                     ("خلايا التنظيم", "ACTOR"), ("قرية الصبحة", "LOCATION")]
    assert [e.id for e in doc.entities] == list(range(10))  # numbered in reading order
    ents = by_surface(doc)
    assert ents["دير الزور"].start == 0 and ents["دير الزور"].end == 9
    assert TEXT[ents["عناصر «جيش العشائر"].end] == "»"  # closing quote left outside
    assert (ents["تسعة"].outcome, ents["طفلان"].outcome, ents["4"].outcome) == ("killed", "killed", "captured")
    assert ents["طفلان"].extra == {"value": 2} and ents["تسعة"].extra == {}
    assert all(e.outcome is None for e in doc.entities if e.label != "COUNT")
    links = {(doc.span_text(doc.entity(r.from_id)), doc.span_text(doc.entity(r.to_id))) for r in doc.relations}
    assert links == {("تسعة", "مدنيين"), ("طفلان", "مدنيين"), ("4", "عناصر «جيش العشائر")}
    assert all(r.type == "side" for r in doc.relations)
    assert check_document(doc.to_json()) == []
    [again], problems = parse_lines([dumps(doc)])
    assert problems == [] and again.to_json() == doc.to_json()


def test_literal_offsets():
    text = "قُتل 5 مدنيين في حمص."
    res = [{"id": "x", "type": "labels", "value": {"start": 5, "end": 6, "text": "5", "labels": ["COUNT"]}},
           {"id": "y", "type": "labels", "value": {"start": 7, "end": 13, "labels": ["ACTOR"]}},  # no text kept
           {"id": "z", "type": "labels", "value": {"start": 17, "end": 20, "text": "حمص", "labels": ["LOCATION"]}},
           {"id": "x", "type": "choices", "from_name": "outcome", "value": {"start": 5, "end": 6, "choices": ["killed"]}},
           relation("x", "y")]
    [doc] = convert_label_studio([task(res, text=text, tid=3)])
    assert doc.id == "ls-3"
    assert [e.to_json() for e in doc.entities] == [
        {"id": 0, "label": "COUNT", "start_offset": 5, "end_offset": 6, "outcome": "killed"},
        {"id": 1, "label": "ACTOR", "start_offset": 7, "end_offset": 13},
        {"id": 2, "label": "LOCATION", "start_offset": 17, "end_offset": 20},
    ]
    assert [r.to_json() for r in doc.relations] == [{"id": 0, "from_id": 0, "to_id": 1, "type": "side"}]


def test_relation_to_a_missing_region_is_a_problem():
    res = full_result() + [relation("c1", "gone")]
    bad = task(res, tid=42)
    good = task(full_result(), tid=43)
    with pytest.raises(LabelStudioError) as info:
        convert_label_studio([good, bad])
    [p] = info.value.problems
    assert (p.index, p.task_id, p.doc_id) == (1, 42, "ls-42")
    assert "'gone'" in p.message and "relation" in p.message
    assert str(p).startswith("task[1] (id 42) [ls-42]: ")
    docs, problems = convert_label_studio([good, bad], strict=False)
    assert [d.id for d in docs] == ["ls-43"] and len(problems) == 1


def test_unknown_label_is_a_problem():
    res = full_result() + [region("w1", "WEAPON", "هجوم")]
    docs, problems = convert_label_studio([task(res, tid=5)], strict=False)
    assert docs == []
    [p] = problems
    assert p.index == 0 and p.task_id == 5
    assert "unknown label 'WEAPON'" in p.message and "'w1'" in p.message


def test_unknown_relation_label_and_wrong_pair_are_problems():
    res = full_result() + [relation("c1", "a4", labels=["member_of"]), relation("l1", "a1")]
    _, problems = convert_label_studio([task(res)], strict=False)
    msgs = " | ".join(p.message for p in problems)
    assert "unknown relation label(s) ['member_of']" in msgs
    assert "joins a COUNT and an ACTOR, got LOCATION and ACTOR" in msgs


def test_outcome_problems():
    res = full_result()
    res = [r for r in res if not (r["type"] == "choices" and r["id"] == "c3")]  # c3 loses its outcome
    res.append(outcome(region("a1", "ACTOR", "وكالة الفرات"), "killed"))  # outcome on an ACTOR
    res.append(outcome(region("c1", "COUNT", "تسعة"), "dead"))  # not an outcome
    _, problems = convert_label_studio([task(res)], strict=False)
    msgs = " | ".join(p.message for p in problems)
    assert "region 'c3' '4': COUNT needs an outcome" in msgs
    assert "outcome is only allowed on COUNT, found on ACTOR" in msgs
    assert "outcome must be one of" in msgs and "'dead'" in msgs
    # a file without outcomes is still valid under the spec when asked for
    res = [r for r in full_result() if r["type"] != "choices"]
    [doc] = convert_label_studio([task(res)], require_outcome=False)
    assert all(e.outcome is None for e in doc.entities)


def test_bad_value_is_a_problem():
    res = full_result() + [value(region("c1", "COUNT", "تسعة"), "about 9")]
    _, problems = convert_label_studio([task(res)], strict=False)
    assert any("value must be one whole number" in p.message for p in problems)


def test_word_edges_overlaps_and_trimming():
    # a region that cuts a word ("مدني" inside "مدنيين") and one that overlaps another
    res = full_result() + [region("cut", "ACTOR", "مدني"), region("ov", "ACTOR", "الزور")]
    _, problems = convert_label_studio([task(res)], strict=False)
    msgs = " | ".join(p.message for p in problems)
    assert "region 'cut' 'مدني'" in msgs and "cuts a word" in msgs
    assert "region 'l1' 'دير الزور' and region 'ov' 'الزور' overlap" in msgs
    # without trimming, the quote kept at the edge of a3 is reported instead of dropped
    _, problems = convert_label_studio([task(full_result())], strict=False, trim=False)
    [p] = problems
    assert "region 'a3'" in p.message and "starts or ends on a space or punctuation" in p.message


def test_region_text_must_match_offsets():
    res = full_result()
    res[2] = copy.deepcopy(res[2])
    res[2]["value"]["text"] = "دمشق"  # l1's text no longer matches its offsets
    _, problems = convert_label_studio([task(res)], strict=False)
    assert any("region 'l1'" in p.message and "'دمشق' is not text[0:9]" in p.message for p in problems)


def test_utf16_offsets_are_recognised():
    text = "🔴 عاجل: مقتل 3 جنود في الهجوم"
    # a browser counts the emoji as two UTF-16 units, so every offset after it is one more
    start = text.index("3") + 1
    res = [{"id": "c", "type": "labels", "value": {"start": start, "end": start + 1, "text": "3", "labels": ["COUNT"]}},
           {"id": "c", "type": "choices", "from_name": "outcome", "value": {"choices": ["killed"]}}]
    [doc] = convert_label_studio([task(res, text=text)])
    assert doc.span_text(doc.entities[0]) == "3"


def test_unannotated_and_cancelled_tasks():
    empty = {"id": 9, "data": {"text": TEXT}, "annotations": []}
    cancelled = {"id": 10, "data": {"text": TEXT},
                 "annotations": [{"was_cancelled": True, "result": full_result()}]}
    _, problems = convert_label_studio([empty, cancelled], strict=False)
    assert [(p.index, p.task_id) for p in problems] == [(0, 9), (1, 10)]
    assert convert_label_studio([empty, cancelled, task(full_result())], skip_unannotated=True)[0].id == "ls-7"


def test_duplicate_document_ids_and_bad_export():
    _, problems = convert_label_studio([task(full_result(), tid=1, doc_id="d"), task(full_result(), tid=2, doc_id="d")],
                                       strict=False)
    [p] = problems
    assert p.index == 1 and "duplicate document id 'd'" in p.message
    with pytest.raises(LabelStudioError):
        convert_label_studio({"data": {}})


def test_script(tmp_path, capsys):
    from importlib import util

    spec = util.spec_from_file_location("convert_label_studio", ROOT / "scripts" / "convert_label_studio.py")
    mod = util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    good = tmp_path / "good.json"
    good.write_text(json.dumps([task(full_result())], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert mod.main([str(good), str(out)]) == 0
    [doc] = read_jsonl(out)
    assert len(doc.entities) == 10 and len(doc.relations) == 3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([task(full_result() + [relation("c1", "nowhere")], tid=11)], ensure_ascii=False),
                   encoding="utf-8")
    out2 = tmp_path / "out2.jsonl"
    assert mod.main([str(bad), str(out2)]) == 1
    err = capsys.readouterr().err
    assert "task[0] (id 11)" in err and "'nowhere'" in err
    assert not out2.exists()


def test_guide_config_produces_what_the_converter_reads():
    guide = (ROOT / "docs" / "annotation_guide.md").read_text(encoding="utf-8")
    [xml] = re.findall(r"```xml\n(.*?)```", guide, flags=re.S)
    root = ET.fromstring(xml)
    labels = root.find(".//Labels")
    assert labels.get("name") == "label"
    assert tuple(x.get("value") for x in labels.findall("Label")) == ENTITY_LABELS
    assert [x.get("value") for x in root.findall(".//Relations/Relation")] == ["side"]
    choices = root.find(".//Choices")
    assert choices.get("name") == "outcome" and choices.get("perRegion") == "true"
    assert tuple(x.get("value") for x in choices.findall("Choice")) == OUTCOMES
    area = root.find(".//TextArea")
    assert area.get("name") == "value" and area.get("perRegion") == "true"
    text = root.find(".//Text")
    assert text.get("name") == labels.get("toName") == choices.get("toName") == area.get("toName")
    assert text.get("value") == "$text"
