"""The spec's JSONL format: every kind of bad input is reported with file, line and document id;
strict and lenient reading; exact write round trip; the `conflict-ner validate` command."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conflict_ner.cli.main import main
from conflict_ner.corpora.authoring import compile_file
from conflict_ner.document import (
    Document,
    Entity,
    Problem,
    Relation,
    ValidationError,
    check_document,
    dumps,
    parse_lines,
    read_jsonl,
    write_jsonl,
)

TEXT = "قتل 12 عنصرا من قوات النظام في ريف إدلب، أمس."


def _off(text: str, s: str, skip: int = 0) -> tuple[int, int]:
    i = text.index(s)
    for _ in range(skip):
        i = text.index(s, i + 1)
    return i, i + len(s)


def good_obj(doc_id: str = "doc-0001") -> dict:
    c, a, loc, d = _off(TEXT, "12"), _off(TEXT, "قوات النظام"), _off(TEXT, "ريف إدلب"), _off(TEXT, "أمس")
    return {
        "id": doc_id,
        "text": TEXT,
        "entities": [
            {"id": 0, "label": "COUNT", "start_offset": c[0], "end_offset": c[1], "outcome": "killed"},
            {"id": 1, "label": "ACTOR", "start_offset": a[0], "end_offset": a[1]},
            {"id": 2, "label": "LOCATION", "start_offset": loc[0], "end_offset": loc[1]},
            {"id": 3, "label": "DATE", "start_offset": d[0], "end_offset": d[1]},
        ],
        "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "side"}],
        "meta": {"source": "test", "date": "2019-08-12"},
    }


def write_lines(tmp_path: Path, lines: list[str], name: str = "gold.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def write_objs(tmp_path: Path, objs: list, name: str = "gold.jsonl") -> Path:
    return write_lines(tmp_path, [json.dumps(o, ensure_ascii=False) for o in objs], name)


def only_problem(tmp_path: Path, bad: dict, *, line: int = 2) -> Problem:
    """Write [good, bad] (or bad at ``line``), read leniently, return the single problem after
    checking that it is located on the right file, line and document."""
    objs = [good_obj("doc-0001"), bad] if line == 2 else [bad]
    path = write_objs(tmp_path, objs)
    docs, problems = read_jsonl(path, strict=False)
    assert len(problems) == 1, problems
    p = problems[0]
    assert p.file == str(path)
    assert p.line == line
    assert p.doc_id == (str(bad["id"]) if isinstance(bad, dict) and "id" in bad else None)
    assert str(p).startswith(f"{path}:{line}")
    if line == 2:
        assert [d.id for d in docs] == ["doc-0001"]
    return p


def bad_doc(**changes) -> dict:
    obj = good_obj("doc-bad")
    obj.update(changes)
    return obj


def with_entity(k: int, **changes) -> dict:
    obj = good_obj("doc-bad")
    obj["entities"][k].update(changes)
    return obj


def test_good_document_has_no_problems(tmp_path):
    assert check_document(good_obj()) == []
    docs = read_jsonl(write_objs(tmp_path, [good_obj("a"), good_obj("b")]))
    assert [d.id for d in docs] == ["a", "b"]
    assert docs[0].span_text(docs[0].entity(1)) == "قوات النظام"


# --- one test per kind of bad input ------------------------------------------------------------

@pytest.mark.parametrize("start,end", [(-1, 2), (40, 400), (5, 5), (7, 3)])
def test_offsets_out_of_range(tmp_path, start, end):
    p = only_problem(tmp_path, with_entity(1, start_offset=start, end_offset=end))
    assert p.message == f"entity 1: offsets [{start}, {end}) out of range for a text of length {len(TEXT)}"


def test_overlapping_spans(tmp_path):
    # ACTOR "قوات النظام" and a LOCATION over "النظام" overlap
    s, e = _off(TEXT, "النظام")
    p = only_problem(tmp_path, with_entity(2, start_offset=s, end_offset=e))
    a = _off(TEXT, "قوات النظام")
    assert p.message == f"entities 1 [{a[0]}, {a[1]}) and 2 [{s}, {e}) overlap"


@pytest.mark.parametrize("eid,surface,start_delta,end_delta",
                         [(1, "قوات النظام", 1, 0), (1, "قوات النظام", 0, -1), (2, "ريف إدلب", 0, -2)])
def test_span_that_cuts_a_word(tmp_path, eid, surface, start_delta, end_delta):
    s, e = _off(TEXT, surface)
    s, e = s + start_delta, e + end_delta
    p = only_problem(tmp_path, with_entity(eid, start_offset=s, end_offset=e))
    assert p.message == f"entity {eid}: span {TEXT[s:e]!r} [{s}, {e}) cuts a word"


@pytest.mark.parametrize("eid,surface", [(2, "ريف إدلب،"), (2, " ريف إدلب"), (2, "ريف "), (3, "أمس."), (3, "، أمس")])
def test_span_on_punctuation_or_space(tmp_path, eid, surface):
    s, e = _off(TEXT, surface)
    p = only_problem(tmp_path, with_entity(eid, start_offset=s, end_offset=e))
    assert p.message == f"entity {eid}: span {surface!r} [{s}, {e}) starts or ends on punctuation or space"


def test_span_on_punctuation_inside_quotes():
    text = 'هاجم تنظيم "الدولة" المدينة'
    s, e = _off(text, '"الدولة"')
    obj = {"id": "q", "text": text, "entities": [{"id": 0, "label": "ACTOR", "start_offset": s, "end_offset": e}]}
    assert check_document(obj) == [f"entity 0: span '\"الدولة\"' [{s}, {e}) starts or ends on punctuation or space"]
    s, e = _off(text, 'تنظيم "الدولة')
    obj["entities"][0].update(start_offset=s, end_offset=e)
    assert check_document(obj) == []  # punctuation inside a span is fine


def test_unknown_label(tmp_path):
    p = only_problem(tmp_path, with_entity(2, label="ORG"))
    assert p.message.startswith("entity 2: unknown label 'ORG' (expected one of ACTOR, PERSON")


def test_label_not_a_string(tmp_path):
    p = only_problem(tmp_path, with_entity(2, label=3))
    assert p.message == "entity 2: field 'label' must be a string"


def test_unknown_outcome(tmp_path):
    p = only_problem(tmp_path, with_entity(0, outcome="dead"))
    assert p.message.startswith("entity 0: unknown outcome 'dead' (expected one of killed, wounded")


def test_outcome_on_a_non_count(tmp_path):
    p = only_problem(tmp_path, with_entity(1, outcome="killed"))
    assert p.message == "entity 1: 'outcome' is only allowed on COUNT, found on ACTOR"


def test_null_outcome_is_allowed():
    obj = with_entity(1, outcome=None)
    assert check_document(obj) == []


def test_relation_not_count_to_actor(tmp_path):
    obj = good_obj("doc-bad")
    obj["relations"] = [{"id": 0, "from_id": 1, "to_id": 0, "type": "side"}]
    p = only_problem(tmp_path, obj)
    assert p.message == "relation 0: a 'side' relation must go COUNT -> ACTOR, got ACTOR -> COUNT"


def test_relation_count_to_location(tmp_path):
    obj = good_obj("doc-bad")
    obj["relations"][0]["to_id"] = 2
    p = only_problem(tmp_path, obj)
    assert p.message == "relation 0: a 'side' relation must go COUNT -> ACTOR, got COUNT -> LOCATION"


def test_unknown_relation_type(tmp_path):
    obj = good_obj("doc-bad")
    obj["relations"][0]["type"] = "member_of"
    p = only_problem(tmp_path, obj)
    assert p.message == "relation 0: unknown relation type 'member_of'"


def test_relation_type_not_a_string(tmp_path):
    obj = good_obj("doc-bad")
    obj["relations"][0]["type"] = ["side"]
    p = only_problem(tmp_path, obj)
    assert "type" in p.message


@pytest.mark.parametrize("field", ["from_id", "to_id"])
def test_relation_to_a_missing_entity(tmp_path, field):
    obj = good_obj("doc-bad")
    obj["relations"][0][field] = 9
    p = only_problem(tmp_path, obj)
    assert p.message == f"relation 0: {field} 9 names no entity"


def test_duplicate_document_ids(tmp_path):
    path = write_objs(tmp_path, [good_obj("a"), good_obj("b"), good_obj("a")])
    docs, problems = read_jsonl(path, strict=False)
    assert [d.id for d in docs] == ["a", "b"]
    assert problems == [Problem(str(path), 3, "a", "duplicate document id 'a' (first on line 1)")]


def test_duplicate_entity_ids(tmp_path):
    obj = good_obj("doc-bad")
    obj["entities"][3]["id"] = 2
    p = only_problem(tmp_path, obj)
    assert p.message == "entity 2: duplicate entity id 2"


def test_duplicate_relation_ids(tmp_path):
    obj = good_obj("doc-bad")
    obj["relations"].append(dict(obj["relations"][0]))
    p = only_problem(tmp_path, obj)
    assert p.message == "relation 0: duplicate relation id 0"


def test_invalid_json(tmp_path):
    path = write_lines(tmp_path, [json.dumps(good_obj("a"), ensure_ascii=False), '{"id": "b", "text": "x",', ""])
    docs, problems = read_jsonl(path, strict=False)
    assert [d.id for d in docs] == ["a"]
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.line, p.doc_id) == (str(path), 2, None)
    assert p.message.startswith("invalid JSON: ")
    assert "(column " in p.message
    assert str(p).startswith(f"{path}:2: invalid JSON")


def test_a_document_must_be_an_object(tmp_path):
    p = only_problem(tmp_path, ["not", "a", "document"])  # type: ignore[arg-type]
    assert p.message == "a document must be a JSON object, got list"


def test_missing_fields(tmp_path):
    obj = good_obj("doc-bad")
    del obj["text"]
    assert only_problem(tmp_path, obj).message == "missing field 'text'"
    obj = good_obj()
    del obj["id"]
    assert check_document(obj) == ["missing field 'id'"]
    obj = good_obj()
    del obj["entities"][1]["start_offset"]
    assert check_document(obj) == ["entity 1: missing field 'start_offset'", "relation 0: to_id 1 names no entity"]


def test_text_not_a_string(tmp_path):
    p = only_problem(tmp_path, bad_doc(text=42))
    assert p.message == "field 'text' must be a string, got int"


def test_offsets_as_strings(tmp_path):
    s, e = _off(TEXT, "قوات النظام")
    path = write_objs(tmp_path, [good_obj("doc-0001"), with_entity(1, start_offset=str(s), end_offset=str(e))])
    docs, problems = read_jsonl(path, strict=False)
    assert [d.id for d in docs] == ["doc-0001"]
    assert [(p.line, p.doc_id, p.message) for p in problems] == [
        (2, "doc-bad", "entity 1: field 'start_offset' must be an integer, got str"),
        (2, "doc-bad", "entity 1: field 'end_offset' must be an integer, got str"),
        # the entity is dropped from the checks, so the relation to it names no entity
        (2, "doc-bad", "relation 0: to_id 1 names no entity"),
    ]


def test_offsets_as_booleans_or_floats():
    assert check_document(with_entity(1, start_offset=True))[0] == "entity 1: field 'start_offset' must be an integer, got bool"
    assert check_document(with_entity(1, end_offset=20.0))[0] == "entity 1: field 'end_offset' must be an integer, got float"


@pytest.mark.parametrize("field,value,typ", [("entities", {"id": 0}, "dict"), ("relations", "none", "str"), ("meta", [], "list")])
def test_entities_relations_meta_wrong_type(tmp_path, field, value, typ):
    want = {"entities": "list", "relations": "list", "meta": "dict"}[field]
    p = only_problem(tmp_path, bad_doc(**{field: value}))
    assert p.message == f"field '{field}' must be a {want}, got {typ}"


def test_entity_not_an_object(tmp_path):
    obj = good_obj("doc-bad")
    obj["entities"].append("ACTOR 3 5")
    assert only_problem(tmp_path, obj).message == "entity #4: must be an object, got str"


def test_document_id_wrong_type(tmp_path):
    p = only_problem(tmp_path, bad_doc(id=[1]))
    assert p.doc_id == "[1]"
    assert p.message == "field 'id' must be a string or integer, got list"


def test_invalid_utf8_file(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(good_obj("a"), ensure_ascii=False).encode("utf-8") + b"\n"
                     + '{"id": "b", "text": "caf\u00e9"}'.encode("latin-1") + b"\n")
    docs, problems = read_jsonl(path, strict=False)
    assert len(problems) == 1
    p = problems[0]
    assert p.file == str(path) and p.doc_id is None
    assert p.message.startswith("not valid UTF-8 (")
    with pytest.raises(ValidationError) as exc:
        read_jsonl(path)
    assert "not valid UTF-8" in str(exc.value)


def test_invalid_utf8_line_is_located_and_only_that_document_skipped(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(good_obj("a"), ensure_ascii=False).encode("utf-8")
    path.write_bytes(good + b"\n" + '{"id": "b", "text": "caf\u00e9"}'.encode("latin-1") + b"\n"
                     + json.dumps(good_obj("c"), ensure_ascii=False).encode("utf-8") + b"\n")
    docs, problems = read_jsonl(path, strict=False)
    assert [p.line for p in problems] == [2]
    assert [d.id for d in docs] == ["a", "c"]


def test_blank_lines_are_skipped_and_lines_counted(tmp_path):
    path = write_lines(tmp_path, ["", json.dumps(good_obj("a"), ensure_ascii=False), "   ",
                                  json.dumps(bad_doc(text=1), ensure_ascii=False)])
    docs, problems = read_jsonl(path, strict=False)
    assert [d.id for d in docs] == ["a"]
    assert [(p.line, p.doc_id) for p in problems] == [(4, "doc-bad")]


def test_integer_document_id_is_named_in_problems(tmp_path):
    p = only_problem(tmp_path, bad_doc(id=17, text=None))
    assert p.doc_id == "17"
    assert str(p).startswith(f"{tmp_path / 'gold.jsonl'}:2 [17]: missing field 'text'")


# --- strict and lenient ------------------------------------------------------------------------

def many_bad(tmp_path) -> Path:
    bad1 = with_entity(1, label="ORG")
    bad1["id"] = "bad-1"
    bad2 = with_entity(0, outcome="dead")
    bad2["id"] = "bad-2"
    bad2["relations"][0]["to_id"] = 7
    return write_lines(tmp_path, [json.dumps(good_obj("ok-1"), ensure_ascii=False),
                                  json.dumps(bad1, ensure_ascii=False),
                                  "not json",
                                  json.dumps(bad2, ensure_ascii=False),
                                  json.dumps(good_obj("ok-2"), ensure_ascii=False)])


def test_strict_raises_listing_every_problem(tmp_path):
    path = many_bad(tmp_path)
    with pytest.raises(ValidationError) as exc:
        read_jsonl(path)
    problems = exc.value.problems
    assert [(p.line, p.doc_id) for p in problems] == [(2, "bad-1"), (2, "bad-1"), (3, None), (4, "bad-2"), (4, "bad-2")]
    msg = str(exc.value)
    assert msg.startswith("5 problem(s):\n")
    for p in problems:
        assert str(p) in msg
    assert isinstance(exc.value, ValueError)


def test_lenient_returns_good_documents_and_problems(tmp_path):
    path = many_bad(tmp_path)
    docs, problems = read_jsonl(path, strict=False)
    assert [d.id for d in docs] == ["ok-1", "ok-2"]
    assert len(problems) == 5
    assert docs == read_jsonl(write_objs(tmp_path, [good_obj("ok-1"), good_obj("ok-2")], "good.jsonl"))


def test_validation_error_truncates_long_lists():
    problems = [Problem("f", i, None, f"m{i}") for i in range(1, 26)]
    msg = str(ValidationError(problems))
    assert msg.startswith("25 problem(s):\nf:1: m1\n")
    assert "f:20: m20" in msg and "f:21: m21" not in msg
    assert msg.endswith("... and 5 more")


def test_parse_lines_names_its_source():
    docs, problems = parse_lines([json.dumps(good_obj("a")), "[1]"], source="<memory>")
    assert [d.id for d in docs] == ["a"]
    assert [str(p) for p in problems] == ["<memory>:2: a document must be a JSON object, got list"]


# --- writing -----------------------------------------------------------------------------------

def rich_documents() -> list[Document]:
    t1 = "قتل 12 عنصرا من قوات\u00a0النظام في ريف إدلب، أمس.\u2028وأصيب ٣٧ مدنياً «في» حلب\r\nالثلاثاء"
    t2 = 'أعلنت "قسد" أسر 5 من عناصر (داعش) 😀'
    def ent(i, label, text, s, **kw):
        a, b = _off(text, s)
        return Entity(i, label, a, b, **kw)
    d1 = Document("d1", t1,
                  [ent(0, "COUNT", t1, "12", outcome="killed", extra={"value": 12}),
                   ent(1, "ACTOR", t1, "قوات\u00a0النظام", extra={"note": {"by": "x"}, "confidence": 0.5}),
                   ent(2, "LOCATION", t1, "ريف إدلب"),
                   ent(3, "COUNT", t1, "٣٧", outcome="wounded"),
                   ent(4, "ACTOR", t1, "مدنياً")],
                  [Relation(0, 0, 1), Relation(1, 3, 4, extra={"checked": True})],
                  meta={"source": "s", "date": "2019-08-12", "tags": ["a", "b"]},
                  extra={"annotator": "n", "revision": 3})
    d2 = Document("d2", t2, [ent(0, "ACTOR", t2, "قسد"), ent(1, "COUNT", t2, "5", outcome="captured"),
                             ent(2, "ACTOR", t2, "عناصر (داعش")], [Relation(0, 1, 2)])
    d3 = Document("d3", "نص بلا كيانات")
    return [d1, d2, d3]


def test_write_read_round_trip_is_exact(tmp_path):
    docs = rich_documents()
    for d in docs:
        assert check_document(d.to_json()) == [], d.id
    p1, p2 = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_jsonl(docs, p1)
    back = read_jsonl(p1)
    assert back == docs
    write_jsonl(back, p2)
    assert p2.read_bytes() == p1.read_bytes()
    assert len(p1.read_text(encoding="utf-8").splitlines()) >= 3  # U+2028 may split str.splitlines, not the file
    assert sum(1 for _ in open(p1, encoding="utf-8")) == 3


def test_unknown_extra_keys_are_preserved(tmp_path):
    obj = good_obj("x")
    obj["annotator"] = "someone"
    obj["entities"][1]["confidence"] = 0.9
    obj["entities"][0]["value"] = 12
    obj["relations"][0]["note"] = {"checked": True}
    obj["meta"]["nested"] = {"a": [1, 2]}
    path = write_objs(tmp_path, [obj])
    (doc,) = read_jsonl(path)
    assert doc.extra == {"annotator": "someone"}
    assert doc.entities[1].extra == {"confidence": 0.9}
    assert doc.entities[0].extra == {"value": 12}
    assert doc.relations[0].extra == {"note": {"checked": True}}
    assert doc.to_json() == obj
    assert json.loads(dumps(doc)) == obj
    out = tmp_path / "out.jsonl"
    write_jsonl([doc], out)
    assert out.read_bytes() == path.read_bytes()  # canonical key order in, same bytes out


def test_text_is_written_as_published():
    d = rich_documents()[0]
    line = dumps(d)
    assert "\u00a0" in line and "٣٧" in line and "مدنياً" in line  # no escaping, no normalisation
    assert "\n" not in line


def test_document_equality_sees_every_field():
    a, b = rich_documents()[0], rich_documents()[0]
    assert a == b
    b.entities[1].extra["confidence"] = 0.6
    assert a != b
    c = copy.deepcopy(a)
    c.meta["date"] = "2019-08-13"
    assert a != c


# --- the validate command ----------------------------------------------------------------------

def test_cli_validate_bad_file_prints_every_problem(tmp_path, capsys):
    path = many_bad(tmp_path)
    expected = read_jsonl(path, strict=False)[1]
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines == [str(p) for p in expected]
    assert f"{path}:2 [bad-1]: entity 1: unknown label 'ORG'" in out
    assert f"{path}:3: invalid JSON" in out
    assert f"{path}:4 [bad-2]: entity 0: unknown outcome 'dead'" in out
    assert f"{path}:4 [bad-2]: relation 0: to_id 7 names no entity" in out
    assert "2 valid document(s), 5 problem(s)" in err


def test_cli_validate_good_file(tmp_path, capsys):
    path = write_objs(tmp_path, [good_obj("a"), good_obj("b")])
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "2 valid document(s), 0 problem(s)" in err


def test_cli_validate_several_files_and_missing_file(tmp_path, capsys):
    good = write_objs(tmp_path, [good_obj("a")], "good.jsonl")
    bad = write_objs(tmp_path, [bad_doc(text=1)], "bad.jsonl")
    assert main(["validate", str(good), str(bad), str(tmp_path / "nope.jsonl")]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{bad}:1 [doc-bad]: field 'text' must be a string, got int"]
    assert f"{tmp_path / 'nope.jsonl'}: no such file" in err
    assert "1 valid document(s), 2 problem(s)" in err


def test_cli_validate_invalid_utf8(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "a", "text": "\xff"}\n')
    assert main(["validate", str(path)]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith(f"{path}:") and "not valid UTF-8" in out


GOOD_YAML = """\
- id: src-0001
  meta: {conflict: syria}
  text: |-
    قتل 12 عنصرا من قوات النظام في ريف[NBSP]إدلب، وأصيب ٣٧ مدنيا.
  entities: |-
    c1 | COUNT | 12 | killed | value=12
    a1 | ACTOR | قوات النظام
    l1 | LOCATION | ريف[NBSP]إدلب
    c2 | COUNT | ٣٧ | wounded
    a2 | ACTOR | مدنيا
  links: |-
    c1 -> a1
    c2 -> a2
"""


def test_cli_validate_good_yaml_source(tmp_path, capsys):
    path = tmp_path / "src.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "1 valid document(s), 0 problem(s)" in err
    docs, problems = compile_file(path)
    assert problems == []
    (d,) = docs
    assert [(e.label, d.span_text(e), e.outcome) for e in d.entities] == [
        ("COUNT", "12", "killed"), ("ACTOR", "قوات النظام", None), ("LOCATION", "ريف\u00a0إدلب", None),
        ("COUNT", "٣٧", "wounded"), ("ACTOR", "مدنيا", None)]
    assert d.entities[0].extra == {"value": 12}
    assert [(r.from_id, r.to_id) for r in d.relations] == [(0, 1), (3, 4)]
    assert check_document(d.to_json()) == []


BAD_YAML = """\
- id: src-ok
  text: قتل 3 مدنيين
  entities: |-
    c1 | COUNT | 3 | killed
    a1 | ACTOR | مدنيين
  links: c1 -> a1
- id: src-bad
  text: قتل 12 عنصرا من قوات النظام في حلب
  entities: |-
    c1 | COUNT | 12
    a1 | ACTOR | قوات الجيش
    l1 | LOCATION | حلب
  links: |-
    c1 -> a1
    c1 -> a9
"""


def test_yaml_compile_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    docs, problems = compile_file(path)
    assert [d.id for d in docs] == ["src-ok"]
    assert all(p.file == str(path) and p.doc_id == "src-bad" and p.line == 7 for p in problems)  # the line where its record starts
    messages = [p.message for p in problems]
    assert "entities line 1: COUNT '12' needs an outcome (killed, wounded, missing, captured, displaced, other)" in messages
    assert any(m.startswith("entities line 2: 'قوات الجيش' not found on word edges after offset") for m in messages)
    assert "links line 1: unknown key 'a1'" in messages  # a1 was never placed
    assert "links line 2: unknown key 'a9'" in messages


def test_yaml_string_found_only_inside_a_word_is_not_found(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("- id: w\n  text: وقوات النظام\n  entities: a1 | ACTOR | قوات النظام\n", encoding="utf-8")
    _, problems = compile_file(path)
    assert [p.message for p in problems] == ["entities line 1: 'قوات النظام' not found on word edges after offset 0"]


def test_cli_validate_bad_yaml_source(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    _, problems = compile_file(path)
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(p) for p in problems]
    for line in out.splitlines():
        assert line.startswith(f"{path}:7 [src-bad]: ")
    assert "needs an outcome" in out and "not found on word edges" in out and "unknown key 'a9'" in out
    assert f"1 valid document(s), {len(problems)} problem(s)" in err


def test_cli_validate_invalid_yaml(tmp_path, capsys):
    path = tmp_path / "broken.yml"
    path.write_text("- id: x\n  text: [unclosed\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith(f"{path}:") and "invalid YAML" in out
