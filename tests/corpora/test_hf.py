"""Spec documents through Hugging Face ``datasets``: JSONL -> load_dataset("json") -> Documents,
Documents -> Dataset -> Documents, both exact despite Arrow's key unification."""

from __future__ import annotations

import json

import pytest

from conflict_ner.corpora import hf
from conflict_ner.corpora.hf import from_dataset, load_documents, to_dataset
from conflict_ner.document import Document, Entity, Relation, ValidationError, read_jsonl, write_jsonl


def _ent(i: int, label: str, text: str, surface: str, skip: int = 0, **kw) -> Entity:
    s = text.index(surface)
    for _ in range(skip):
        s = text.index(surface, s + 1)
    return Entity(i, label, s, s + len(surface), **kw)


def sample_documents() -> list[Document]:
    t1 = "قتل 12 عنصرا من قوات\u00a0النظام في ريف إدلب الجنوبي، أمس."
    t2 = 'وأصيب ٣٧ مدنياً بينهم طفلان في قصف لـ"داعش" على مدينة حلب'
    t3 = "نص بلا كيانات"
    t4 = "أعلنت قوات سوريا الديمقراطية (قسد) أسر 5 من عناصر التنظيم الثلاثاء"
    d1 = Document(
        "syr-0001", t1,
        [_ent(0, "COUNT", t1, "12", outcome="killed", extra={"value": 12}),
         _ent(1, "ACTOR", t1, "قوات\u00a0النظام"),
         _ent(2, "LOCATION", t1, "ريف إدلب الجنوبي"),
         _ent(3, "DATE", t1, "أمس")],
        [Relation(0, 0, 1)],
        meta={"source": "wire", "date": "2019-08-12"},
    )
    d2 = Document(
        "syr-0002", t2,
        [_ent(0, "COUNT", t2, "٣٧", outcome="wounded"),
         _ent(1, "ACTOR", t2, "مدنياً", extra={"note": "victims"}),
         _ent(2, "COUNT", t2, "طفلان", outcome="wounded"),
         _ent(3, "ACTOR", t2, "داعش"),
         _ent(4, "LOCATION", t2, "مدينة حلب")],
        [Relation(0, 0, 1), Relation(1, 2, 1, extra={"checked": True})],
        meta={"register": "report"},
    )
    d3 = Document("syr-0003", t3)  # no entities, no relations, empty meta
    d4 = Document(
        "syr-0004", t4,
        [_ent(0, "ACTOR", t4, "قوات سوريا الديمقراطية"), _ent(1, "ACTOR", t4, "قسد"),
         _ent(2, "COUNT", t4, "5", outcome="captured"), _ent(3, "ACTOR", t4, "عناصر التنظيم"),
         _ent(4, "DATE", t4, "الثلاثاء")],
        [Relation(0, 2, 3)],
        meta={"source": "agency", "tags": ["sdf", "isis"]},
    )
    return [d1, d2, d3, d4]


@pytest.fixture
def cache(tmp_path):
    return str(tmp_path / "hf_cache")


def test_sample_documents_are_valid(tmp_path):
    path = tmp_path / "gold.jsonl"
    write_jsonl(sample_documents(), path)
    assert read_jsonl(path) == sample_documents()


def test_jsonl_round_trips_through_load_dataset_json(tmp_path, cache):
    import datasets

    docs = sample_documents()
    path = tmp_path / "gold.jsonl"
    write_jsonl(docs, path)
    ds = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=cache)
    assert len(ds) == len(docs)
    back = from_dataset(ds)
    assert back == docs
    # None fillers are gone: ACTOR entities carry no outcome key, meta has only its own keys
    assert back[1].entities[1].outcome is None
    assert "outcome" not in back[1].entities[1].to_json()
    assert back[1].meta == {"register": "report"}
    assert back[2].meta == {} and back[2].entities == [] and back[2].relations == []


def test_load_documents_local_jsonl(tmp_path, cache):
    docs = sample_documents()
    path = tmp_path / "gold.jsonl"
    write_jsonl(docs, path)
    assert load_documents(path, cache_dir=cache) == docs
    assert load_documents(str(path), split="test", cache_dir=cache) == docs


def test_load_documents_local_folder(tmp_path, cache):
    docs = sample_documents()
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(docs[:2], folder / "a.jsonl")
    write_jsonl(docs[2:], folder / "b.jsonl")
    assert load_documents(folder, cache_dir=cache) == docs


def test_load_documents_missing_local_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_documents(tmp_path / "nope.jsonl")


def test_load_documents_hub_id(monkeypatch):
    import datasets

    calls = []

    def fake_load_dataset(name, *args, **kwargs):
        calls.append((name, args, kwargs))
        return to_dataset(sample_documents())

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    assert load_documents("someone/conflict-gold", split="validation") == sample_documents()
    assert calls == [("someone/conflict-gold", (), {"split": "validation"})]


def test_to_dataset_columns_and_rows():
    docs = sample_documents()
    ds = to_dataset(docs)
    assert ds.column_names == ["id", "text", "entities", "relations", "meta"]
    assert ds[0]["id"] == "syr-0001"
    assert ds[0]["text"] == docs[0].text  # as published: NBSP kept
    assert isinstance(ds[0]["entities"], list) and isinstance(ds[0]["entities"][0], dict)
    assert ds[0]["entities"][0]["start_offset"] == docs[0].entities[0].start
    assert hf._drop_none(ds[0]["relations"]) == [{"id": 0, "from_id": 0, "to_id": 1, "type": "side"}]


def test_dataset_round_trip_drops_arrow_fillers():
    docs = sample_documents()
    ds = to_dataset(docs)
    # Arrow unified the keys: the row really holds None fillers ...
    assert ds[0]["entities"][1]["outcome"] is None
    assert ds[1]["meta"]["date"] is None
    # ... which from_dataset drops, so the documents come back exactly
    back = from_dataset(ds)
    assert back == docs
    assert [json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True) for d in back] == \
        [json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True) for d in docs]


def test_extra_document_keys_survive():
    docs = sample_documents()
    docs[0].extra = {"annotator": "n"}
    back = from_dataset(to_dataset(docs))
    assert back == docs
    assert back[1].extra == {}


def test_empty_dataset():
    ds = to_dataset([])
    assert len(ds) == 0
    assert from_dataset(ds) == []


def _bad_rows():
    rows = [d.to_json() for d in sample_documents()]
    rows[1]["entities"][3]["start_offset"] += 1  # cuts "داعش"
    rows[3]["id"] = "syr-0001"  # duplicate id
    return rows


def test_from_dataset_strict_names_row_and_id():
    import datasets

    ds = datasets.Dataset.from_list(_bad_rows())
    with pytest.raises(ValidationError) as exc:
        from_dataset(ds, source="gold")
    problems = exc.value.problems
    assert [(p.file, p.line, p.doc_id) for p in problems] == [("gold", 1, "syr-0002"), ("gold", 3, "syr-0001")]
    assert problems[0].message.startswith("row 1: entity 3: span ") and problems[0].message.endswith("cuts a word")
    assert problems[1].message == "row 3: duplicate document id 'syr-0001' (first in row 0)"
    assert "gold:1 [syr-0002]: row 1: entity 3" in str(exc.value)


def test_from_dataset_lenient_skips_only_bad_rows():
    import datasets

    ds = datasets.Dataset.from_list(_bad_rows())
    docs, problems = from_dataset(ds, strict=False)
    assert [d.id for d in docs] == ["syr-0001", "syr-0003"]
    assert docs == [sample_documents()[0], sample_documents()[2]]
    assert len(problems) == 2


def test_from_dataset_wrong_types():
    import datasets

    ds = datasets.Dataset.from_list([{"id": "x", "text": None, "entities": [], "relations": [], "meta": {}},
                                     {"id": "y", "text": "نص", "entities": [], "relations": [], "meta": {}}])
    docs, problems = from_dataset(ds, strict=False)
    assert [d.id for d in docs] == ["y"]
    assert [(p.line, p.doc_id, p.message) for p in problems] == [(0, "x", "row 0: missing field 'text'")]


def test_load_documents_reports_problems_of_a_local_file(tmp_path, cache):
    path = tmp_path / "bad.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for row in _bad_rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with pytest.raises(ValidationError) as exc:
        load_documents(path, cache_dir=cache)
    assert [(p.file, p.line, p.doc_id) for p in exc.value.problems] == [(str(path), 1, "syr-0002"), (str(path), 3, "syr-0001")]
    docs, problems = load_documents(path, strict=False, cache_dir=cache)
    assert [d.id for d in docs] == ["syr-0001", "syr-0003"]


def test_drop_none_is_recursive():
    assert hf._drop_none({"a": None, "b": [{"c": None, "d": 1}], "e": {"f": None}}) == {"b": [{"d": 1}], "e": {}}
