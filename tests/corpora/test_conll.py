"""CoNLL corpus reading on tiny hand-written files in each corpus's format (tests/resources/corpora/).

The files hold a few sentences written for these tests, never corpus text. The label maps
under test are the real ones of configs/corpora/*.yaml, pointed at these files.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from conflict_ner.corpora import registry
from conflict_ner.corpora.conll import ConllFormat, ConllFormatError, decode_bio, read_conll
from conflict_ner.corpora.registry import CorpusNotFoundError, corpus_config, data_root, load_corpus
from conflict_ner.document import check_document
from conflict_ner.schema import ENTITY_LABELS

RES = Path(__file__).resolve().parents[1] / "resources" / "corpora"
MARK_CHARS = ("\ufeff", "\u200e", "\u200f", "\r")


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(registry.ENV_VAR, raising=False)


def _config(name: str, files: dict) -> dict:
    cfg = copy.deepcopy(corpus_config(name))
    cfg["root"] = "."
    cfg["files"] = files
    cfg.pop("split", None)
    return cfg


def _load(name: str, file: str, split: str = "train"):
    return load_corpus(name, split, root=RES, config=_config(name, {split: file}))


def _surfaces(docs) -> list[list[tuple[str, str]]]:
    return [[(e.label, d.text[e.start:e.end]) for e in d.entities] for d in docs]


def _assert_valid(docs) -> None:
    for d in docs:
        assert check_document(d.to_json()) == [], d.id
        for e in d.entities:
            # an entity's surface is exactly whole tokens of the text (modulo trimmed punctuation)
            surface = d.text[e.start:e.end]
            assert surface == surface.strip() and surface
            assert e.start == 0 or d.text[e.start - 1] == " " or not d.text[e.start - 1].isalnum()


def _raw_sentences(path: Path, sep: str | None = None) -> list[list[list[str]]]:
    """Independent reading of a resource: per sentence, per token, the fields after the token."""
    text = path.read_bytes().decode("utf-8-sig").replace("\r", "")
    for m in ("\u200e", "\u200f"):
        text = text.replace(m, "")
    out, cur = [], []
    for line in text.split("\n"):
        if not line.strip():
            if cur:
                out.append(cur); cur = []
            continue
        cur.append(line.split(sep)[1:] if sep else line.split()[1:])
    if cur:
        out.append(cur)
    return out


# --- ANERcorp ----------------------------------------------------------------------------------

def test_anercorp_label_map_offsets_repairs_and_trims():
    c = _load("anercorp", "anercorp_style.txt")
    assert c.annotates == ("ACTOR", "LOCATION", "PERSON")
    assert _surfaces(c.documents) == [
        [("ACTOR", "وزارة الدفاع الأمريكية"), ("LOCATION", "بغداد")],
        [("PERSON", "محمد علي"), ("ACTOR", "الأمم المتحدة"), ("PERSON", "سامر"), ("LOCATION", "القاهرة")],
        [("LOCATION", "دمشق"), ("ACTOR", "حماس")],
    ]
    s = c.stats
    assert s.sentences == 3
    assert s.repairs == 2  # I-ORG after O; I-LOC after B-PERS
    assert s.trimmed == 1  # '" حماس "' -> 'حماس'
    assert s.dropped == 1  # a lone '(' tagged B-LOC
    assert s.unmapped == {"MISC": 1}
    assert s.tokens_dropped == 1 and s.marks_removed == 1  # the RLM-only token
    assert dict(s.entities) == {"ACTOR": 3, "LOCATION": 3, "PERSON": 2}
    assert c.per_file["anercorp_style.txt"].repairs == 2
    _assert_valid(c.documents)
    d = c.documents[0]
    assert d.text.split(" ")[:3] == ["قال", "مسؤول", "في"]
    assert d.meta == {"corpus": "anercorp", "split": "train", "file": "anercorp_style.txt", "sentence": 0, "line": 1,
                      "annotates": ["ACTOR", "LOCATION", "PERSON"]}
    assert "DATE" not in c.annotates and "COUNT" not in c.annotates


def test_anercorp_full_style_without_blank_lines():
    c = _load("anercorp", "anercorp_full_style.txt")
    assert c.stats.sentences == 3  # broken after ". O"
    assert [d.text.split(" ")[-1] for d in c.documents] == [".", ".", "."]
    assert "الشرطة2" in c.documents[0].text.split(" ")  # RLMs inside and after the token removed
    assert c.stats.tokens_dropped == 2  # the empty-token line and the RLM-only token
    assert c.stats.marks_removed == 3
    assert _surfaces(c.documents)[1:] == _surfaces(_load("anercorp", "anercorp_style.txt").documents)[1:]
    _assert_valid(c.documents)


# --- FANE --------------------------------------------------------------------------------------

def test_fane_bom_marks_crlf_tabs():
    raw = (RES / "fane_style.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and "\u200e".encode() in raw  # the resource is intact
    n_marks = raw.decode("utf-8").count("\u200e") + 1  # + the BOM
    c = _load("newsfane", "fane_style.txt")
    for d in c.documents:
        assert not any(m in d.text for m in MARK_CHARS), d.text
        assert "\t" not in d.text
    assert c.stats.marks_removed == n_marks
    assert _surfaces(c.documents) == [
        [("ACTOR", "وكاله رويترز"), ("ACTOR", "الجيش العراقي"), ("LOCATION", "الموصل")],
        [("PERSON", "ايمانويل ماكرون"), ("ACTOR", "الاكراد"), ("LOCATION", "فرنسا"), ("ACTOR", "منظمه العفو الدوليه")],
        [("LOCATION", "اوروبا"), ("PERSON", "جون سميث")],  # Book -> O; Police (a PER subtype) -> PERSON
    ]
    assert c.stats.repairs == 1
    assert c.stats.unmapped == {"Book": 1}
    assert c.documents[0].text.startswith("قالت وكاله")
    _assert_valid(c.documents)


def test_fane_sentence_block_split():
    cfg = copy.deepcopy(corpus_config("newsfane"))
    cfg["root"] = "."
    cfg["files"] = {"all": "fane_style.txt"}
    cfg["split"] = {"scheme": "sentence_blocks", "block_size": 1, "modulo": 3, "dev": [1], "test": [2]}
    got = {sp: [d.meta["sentence"] for d in load_corpus("newsfane", sp, root=RES, config=cfg).documents]
           for sp in ("train", "dev", "test", "all")}
    assert got == {"train": [0], "dev": [1], "test": [2], "all": [0, 1, 2]}
    dev = load_corpus("newsfane", "dev", root=RES, config=cfg)
    assert dev.stats.sentences == 1 and dev.stats.repairs == 1  # stats cover the selected sentences only
    assert load_corpus("newsfane", "train", root=RES, config=cfg).stats.repairs == 0


# --- Wojood ------------------------------------------------------------------------------------

def test_wojood_nested_outermost_and_count_rule():
    c = _load("wojood", "wojood_style.txt")
    assert set(c.annotates) == {"ACTOR", "LOCATION", "DATE", "PERSON", "COUNT"}
    assert _surfaces(c.documents) == [
        [("COUNT", "12"), ("LOCATION", "مدينة حلب"), ("DATE", "يوم الثلاثاء")],
        # OCC -> O gives way to the ORG inside it; NORP inside the ORG is skipped; "3 سيارات" is no COUNT
        [("ACTOR", "الجيش اللبناني"), ("PERSON", "سامي خوري"), ("LOCATION", "مستشفى الشفاء")],
        # two B-CARDINAL pieces merged, the qualifier trimmed off; the closing bracket trimmed off the DATE
        [("COUNT", "ثلاثة آلاف"), ("DATE", "خلال شهر ( آذار"), ("ACTOR", "الأمم المتحدة")],
    ]
    s = c.stats
    assert s.nested == 2
    assert s.repairs == 1  # I-FAC after O
    assert s.count_rejected == 1 and s.count_merged == 1
    assert s.trimmed == 2
    assert s.tokens_dropped == 1  # "$#$"
    assert "$#$" not in c.documents[1].text
    assert s.unmapped["OCC"] == 1 and s.unmapped["CARDINAL"] == 1
    _assert_valid(c.documents)


# --- AQMAR -------------------------------------------------------------------------------------

def test_aqmar_aliases_marks_and_mis():
    c = _load("aqmar", "aqmar_style.txt")
    assert _surfaces(c.documents) == [
        [("PERSON", "ابن سينا"), ("LOCATION", "بخارى")],
        [("ACTOR", "جامعة دمشق")],
        [("ACTOR", "نادي ريال مدريد"), ("LOCATION", "لشبونة")],
    ]
    assert c.stats.tag_fixes == 2  # "OO" and "I--ORG"
    assert c.stats.repairs == 1
    assert c.stats.unmapped == {"MIS1": 1, "MIS2": 1}
    assert "2009" in c.documents[2].text.split(" ") and c.stats.marks_removed == 1
    _assert_valid(c.documents)


# --- BIO reading as seqeval's ------------------------------------------------------------------

@pytest.mark.parametrize("name,file,sep", [
    ("anercorp", "anercorp_style.txt", None), ("newsfane", "fane_style.txt", "\t"),
    ("wojood", "wojood_style.txt", None), ("aqmar", "aqmar_style.txt", None),
])
def test_repairs_match_seqeval(name, file, sep):
    aliases = corpus_config(name).get("tag_aliases") or {}
    expected_repairs = 0
    for sent in _raw_sentences(RES / file, sep):
        n_cols = max(len(t) for t in sent)
        for col in range(n_cols):
            tags = [aliases.get(t[col], t[col]) if col < len(t) else "O" for t in sent]
            ours, repairs = decode_bio(tags)
            assert ours == get_entities(tags)
            starts_with_i = sum(1 for _, i, _ in ours if tags[i].startswith("I-"))
            assert repairs == starts_with_i
            expected_repairs += repairs
    assert _load(name, file).stats.repairs == expected_repairs


def test_decode_bio_random_sequences_match_seqeval():
    rng = random.Random(7)
    pool = ["O", "B-A", "I-A", "B-B", "I-B"]
    for _ in range(500):
        tags = [rng.choice(pool) for _ in range(rng.randint(1, 12))]
        ours, repairs = decode_bio(tags)
        assert ours == get_entities(tags), tags
        assert repairs == sum(1 for _, i, _ in ours if tags[i].startswith("I-"))


# --- errors ------------------------------------------------------------------------------------

def test_missing_corpus_file_names_path_and_env(tmp_path):
    with pytest.raises(CorpusNotFoundError) as exc:
        load_corpus("anercorp", "train", root=tmp_path)
    msg = str(exc.value)
    assert str(tmp_path / "anercorp" / "train.txt") in msg and "CONFLICT_NER_DATA" in msg
    with pytest.raises(CorpusNotFoundError, match="CONFLICT_NER_DATA"):
        load_corpus("conflict_real_dev", "dev", root=tmp_path)


def test_unknown_type_and_bad_tag_are_errors(tmp_path):
    fmt = ConllFormat.from_config(corpus_config("anercorp"))
    p = tmp_path / "x.txt"
    p.write_text("حلب B-CITY\n", encoding="utf-8")
    with pytest.raises(ConllFormatError, match=r"x\.txt:1.*'CITY'"):
        read_conll(p, fmt)
    p.write_text("حلب E-LOC\n", encoding="utf-8")
    with pytest.raises(ConllFormatError, match=r"x\.txt:1"):
        read_conll(p, fmt)
    with pytest.raises(ValueError, match="no split"):
        load_corpus("anercorp", "dev", root=tmp_path)


# --- registry ----------------------------------------------------------------------------------

def test_data_root_order(monkeypatch, tmp_path):
    assert data_root() == Path(registry.__file__).resolve().parents[2].parent / "shared" / "data"
    assert data_root(tmp_path / "cfg") == tmp_path / "cfg"
    monkeypatch.setenv(registry.ENV_VAR, str(tmp_path / "env"))
    assert data_root(tmp_path / "cfg") == tmp_path / "env"


def test_every_config_is_consistent():
    assert set(registry.CORPORA) == {"anercorp", "newsfane", "wikifane", "wojood", "aqmar"}
    for name in registry.CORPORA:
        cfg = corpus_config(name)
        assert cfg["name"] == name and cfg["format"] == "conll"
        assert set(cfg["annotates"]) <= set(ENTITY_LABELS)
        ConllFormat.from_config(cfg)
    assert corpus_config("anercorp")["annotates"] == ["ACTOR", "LOCATION", "PERSON"]
    assert corpus_config("anercorp")["label_map"] == {"ORG": "ACTOR", "LOC": "LOCATION", "PERS": "PERSON", "MISC": "O"}
    with pytest.raises(KeyError, match="unknown corpus"):
        corpus_config("nope")


def test_conflict_real_dev_is_evaluation_only(tmp_path):
    (tmp_path / "conflict").mkdir()
    doc = {"id": "t1", "text": "قتل 3 مدنيين", "entities": [
        {"id": 0, "label": "COUNT", "start_offset": 4, "end_offset": 5},
        {"id": 1, "label": "ACTOR", "start_offset": 6, "end_offset": 12}],
        "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "side"}], "meta": {}}
    (tmp_path / "conflict" / "dev.jsonl").write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    c = load_corpus("conflict_real_dev", "dev", root=tmp_path)
    assert c.evaluation_only and c.has_relations and c.annotates == ENTITY_LABELS
    assert c.stats.sentences == 1 and dict(c.stats.entities) == {"COUNT": 1, "ACTOR": 1}
    assert c.documents[0].meta["corpus"] == "conflict_real_dev"
    with pytest.raises(ValueError, match="evaluation only"):
        load_corpus("conflict_real_dev", "train", root=tmp_path)
