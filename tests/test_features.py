"""Text -> units -> tokens -> windows -> labels, and back to raw spans, for both tokenizer kinds.

Gold entities are put on units (document_targets, unit_tags), the tags are placed on each unit's
first token (window_inputs first_token), read back from the owned region of each window, decoded
(decoding.bio_spans) and mapped to raw offsets (EncodedText.unit_to_raw): the result must be the
gold set exactly, on texts with glued punctuation, quotes, brackets, tatweel, diacritics, NBSP,
Arabic-Indic digits and words the tokenizer cuts into several pieces.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflict_ner.decoding import bio_spans
from conflict_ner.document import Document, Entity, Relation, check_document
from conflict_ner.features import (
    EncodedText,
    allowed_tags,
    document_targets,
    encode_text,
    special_tokens,
    tag_set,
    unit_tags,
    window_inputs,
)
from conflict_ner.schema import ENTITY_LABELS, ID2TAG, IGNORE_INDEX, TAG2ID

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tiny import tiny_tokenizer  # noqa: E402

KINDS = ("sentencepiece", "wordpiece")


@cache
def tokenizer(kind: str):
    return tiny_tokenizer(kind)


def make_doc(text: str, ents: list[tuple[str, str] | tuple[str, str, int]], doc_id: str = "t") -> Document:
    """Entities by (label, surface[, occurrence]), placed in order; all must be valid spec spans."""
    out, cursor = [], 0
    for k, spec in enumerate(ents):
        label, surface = spec[0], spec[1]
        i = text.index(surface, cursor)
        for _ in range(spec[2] if len(spec) > 2 else 0):
            i = text.index(surface, i + 1)
        out.append(Entity(k, label, i, i + len(surface), outcome="killed" if label == "COUNT" else None))
        cursor = i + len(surface)
    doc = Document(doc_id, text, out)
    assert check_document(doc.to_json()) == [], check_document(doc.to_json())
    return doc


def round_trip(doc: Document, kind: str, max_length: int = 64, stride: int = 8):
    """Encode, label first tokens, read the owned units back, decode to raw spans."""
    tok = tokenizer(kind)
    prefix, suffix = special_tokens(tok)
    enc = encode_text(doc.text, tok, max_length, stride, len(prefix), len(suffix))
    spans, links, lost = document_targets(enc, doc)
    assert lost == 0
    tags = unit_tags(len(enc.units), spans)
    wis = window_inputs(enc, prefix, suffix)
    check_windows(enc, wis, prefix, suffix, max_length)
    read: list[str | None] = [None] * len(enc.units)
    for wi in wis:
        labels = [IGNORE_INDEX] * len(wi.input_ids)
        for k, u in enumerate(range(wi.window.start, wi.window.end)):
            labels[wi.first_token[k]] = TAG2ID[tags[u]]
        # a model sees its labels only on first sub-tokens; read back the owned units
        for k, u in enumerate(range(wi.window.start, wi.window.end)):
            if wi.window.own_start <= u < wi.window.own_end:
                assert read[u] is None
                read[u] = ID2TAG[labels[wi.first_token[k]]]
        n_labelled = sum(lab != IGNORE_INDEX for lab in labels)
        assert n_labelled == wi.window.end - wi.window.start
    assert None not in read
    assert read == tags
    decoded = {(*enc.unit_to_raw(a, b), label) for a, b, label in bio_spans(read, enc.is_word)}
    return enc, spans, links, decoded


def check_windows(enc: EncodedText, wis, prefix, suffix, max_length: int) -> None:
    owned = []
    for wi in wis:
        w = wi.window
        ids = wi.input_ids
        assert len(ids) <= max_length
        assert ids[: len(prefix)] == prefix and ids[len(ids) - len(suffix):] == suffix
        assert len(wi.first_token) == len(wi.last_token) == w.end - w.start
        assert wi.first_token[0] == len(prefix)
        assert wi.last_token[-1] == len(ids) - len(suffix)
        for k, u in enumerate(range(w.start, w.end)):
            assert wi.first_token[k] < wi.last_token[k]
            assert ids[wi.first_token[k] : wi.last_token[k]] == enc.unit_tokens[u]
            if k:
                assert wi.first_token[k] == wi.last_token[k - 1]
        owned.extend(range(w.own_start, w.own_end))
    assert owned == list(range(len(enc.units)))


def gold(doc: Document) -> set[tuple[int, int, str]]:
    return {(e.start, e.end, e.label) for e in doc.entities}


CASES = {
    "plain": ("قتل 12 عنصرا من قوات النظام في ريف إدلب، أمس.",
              [("COUNT", "12"), ("ACTOR", "قوات النظام"), ("LOCATION", "ريف إدلب"), ("DATE", "أمس")]),
    "glued comma and proclitic": ("وقصفت وقوات الأمن بريف إدلب، بلدة كفرنبل.",
                                  [("ACTOR", "وقوات الأمن"), ("LOCATION", "بريف إدلب"), ("LOCATION", "بلدة كفرنبل")]),
    "quotes": ('أعلن تنظيم "الدولة الإسلامية" مسؤوليته، وقال إن لـ"داعش" 40 مقاتلا و«قسد» تقدمت.',
               [("ACTOR", 'تنظيم "الدولة الإسلامية'), ("ACTOR", "داعش"), ("COUNT", "40"), ("ACTOR", "قسد")]),
    "brackets": ("أعلنت قوات سوريا الديمقراطية (قسد) أسر 5 من عناصر (داعش) في حلب (شمال)",
                 [("ACTOR", "قوات سوريا الديمقراطية"), ("ACTOR", "قسد"), ("COUNT", "5"), ("ACTOR", "عناصر (داعش"),
                  ("LOCATION", "حلب")]),
    "tatweel": ("قتل عناصر القــوات الحكومية في مدينـــة حلب",
                [("ACTOR", "عناصر القــوات الحكومية"), ("LOCATION", "مدينـــة حلب")]),
    "diacritics": ("قُتِلَ طفلٌ ومدنيّان في غزةَ، يومَ الثلاثاءِ.",
                   [("ACTOR", "طفلٌ"), ("COUNT", "ومدنيّان"), ("LOCATION", "غزةَ"), ("DATE", "يومَ الثلاثاءِ")]),
    "nbsp": ("قتل\u00a012\u00a0عنصرا من قوات\u00a0النظام في ريف\u202fإدلب\u200f الجنوبي",
             [("COUNT", "12"), ("ACTOR", "قوات\u00a0النظام"), ("LOCATION", "ريف\u202fإدلب\u200f الجنوبي")]),
    "arabic-indic digits": ("أصيب ٣٧ مدنيا و۱۲ طفلا يوم ١٢ أغسطس/آب ٢٠١٩",
                            [("COUNT", "٣٧"), ("ACTOR", "مدنيا"), ("COUNT", "و۱۲"), ("ACTOR", "طفلا"),
                             ("DATE", "يوم ١٢ أغسطس/آب ٢٠١٩")]),
    "glued digits": ("قتل نحو70 شخصا وأسر لـ40 عنصرا", [("COUNT", "نحو70"), ("COUNT", "لـ40")]),
    "many pieces": ("ExtraordinaryWord المسلحةالموالية Reuters: قتل 40 في كابول 😀 الاثنين",
                    [("ACTOR", "ExtraordinaryWord المسلحةالموالية"), ("ACTOR", "Reuters"), ("COUNT", "40"),
                     ("LOCATION", "كابول"), ("DATE", "الاثنين")]),
    "adjacent entities": ("قسد داعش الجيش، حلب", [("ACTOR", "قسد"), ("ACTOR", "داعش"), ("ACTOR", "الجيش"),
                                                  ("LOCATION", "حلب")]),
    "edges and line breaks": ("داعش\nقتل 3\n\nفي حلب", [("ACTOR", "داعش"), ("COUNT", "3"), ("LOCATION", "حلب")]),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(CASES))
def test_gold_spans_survive_encoding_and_decoding(kind, case):
    text, ents = CASES[case]
    doc = make_doc(text, ents)
    enc, spans, _, decoded = round_trip(doc, kind)
    assert decoded == gold(doc)
    for s, e, label in decoded:
        assert any(doc.text[s:e] == doc.span_text(x) and x.label == label for x in doc.entities)
    assert len(spans) == len(doc.entities)


@pytest.mark.parametrize("kind", KINDS)
def test_a_word_split_into_several_pieces_is_labelled_on_its_first_token(kind):
    doc = make_doc("قتل عناصر الميليشياتالمسلحة في إدلب", [("ACTOR", "عناصر الميليشياتالمسلحة"), ("LOCATION", "إدلب")])
    tok = tokenizer(kind)
    prefix, suffix = special_tokens(tok)
    enc = encode_text(doc.text, tok, 64, 8, len(prefix), len(suffix))
    u = next(k for k, (s, e) in enumerate(enc.units) if enc.norm.text[s:e] == "الميليشياتالمسلحة")
    assert len(enc.unit_tokens[u]) > 1  # the tokenizer cut it
    spans, _, _ = document_targets(enc, doc)
    tags = unit_tags(len(enc.units), spans)
    assert tags[u] == "I-ACTOR" and tags[u - 1] == "B-ACTOR"
    (wi,) = window_inputs(enc, prefix, suffix)
    first, last = wi.first_token[u], wi.last_token[u]
    assert last - first == len(enc.unit_tokens[u])
    assert wi.input_ids[first:last] == enc.unit_tokens[u]
    assert round_trip(doc, kind)[3] == gold(doc)


@pytest.mark.parametrize("kind", KINDS)
def test_special_tokens_wrap_each_window(kind):
    tok = tokenizer(kind)
    prefix, suffix = special_tokens(tok)
    if kind == "sentencepiece":
        assert tok.convert_ids_to_tokens(prefix + suffix) == ["<s>", "</s>"]
    else:
        assert tok.convert_ids_to_tokens(prefix + suffix) == ["[CLS]", "[SEP]"]
    ids = tok("قتل 12", add_special_tokens=True)["input_ids"]
    assert ids[: len(prefix)] == prefix and ids[len(ids) - len(suffix):] == suffix


LONG_SENTENCES = [
    ("قتل 12 عنصرا من قوات النظام في ريف إدلب، أمس.", [("COUNT", "12"), ("ACTOR", "قوات النظام"),
                                                     ("LOCATION", "ريف إدلب"), ("DATE", "أمس")]),
    ('وأصيب ٣٧ مدنياً في قصف لـ"داعش" على مدينة حلب؟', [("COUNT", "٣٧"), ("ACTOR", "مدنياً"), ("ACTOR", "داعش"),
                                                      ("LOCATION", "مدينة حلب")]),
    ("وأعلنت قوات سوريا الديمقراطية (قسد) أسر 5 من عناصر (التنظيم)\n",
     [("ACTOR", "قوات سوريا الديمقراطية"), ("ACTOR", "قسد"), ("COUNT", "5"), ("ACTOR", "عناصر (التنظيم")]),
]


def long_document(repeats: int = 12) -> Document:
    parts, ents, offset = [], [], 0
    for r in range(repeats):
        text, spec = LONG_SENTENCES[r % len(LONG_SENTENCES)]
        cursor = 0
        for label, surface in spec:
            i = text.index(surface, cursor)
            ents.append(Entity(len(ents), label, offset + i, offset + i + len(surface),
                               outcome="killed" if label == "COUNT" else None))
            cursor = i + len(surface)
        parts.append(text)
        offset += len(text)
        if not text.endswith("\n"):
            parts.append(" ")
            offset += 1
    doc = Document("long", "".join(parts), ents)
    assert check_document(doc.to_json()) == []
    return doc


@pytest.mark.parametrize("kind", KINDS)
def test_long_text_has_several_windows_covering_all_units(kind):
    doc = long_document()
    enc, spans, _, decoded = round_trip(doc, kind, max_length=48, stride=6)
    assert len(enc.windows) >= 3
    assert any(w.start < w.own_start for w in enc.windows) and any(w.end > w.own_end for w in enc.windows)
    assert decoded == gold(doc)
    # owned edges fall between sentences, except inside a sentence longer than the owned budget;
    # an entity may cross an edge only there (its tags are still stitched unit by unit)
    budget = 48 - 2
    own = budget - 2 * min(6, budget // 4)
    sent_tokens: dict[int, int] = {}
    for u, sid in enumerate(enc.sentence):
        sent_tokens[sid] = sent_tokens.get(sid, 0) + len(enc.unit_tokens[u])
    for w in enc.windows[1:]:
        edge = w.own_start
        if enc.sentence[edge - 1] == enc.sentence[edge]:
            assert sent_tokens[enc.sentence[edge]] > own
        elif any(a < edge < b for a, b, _, _ in spans):
            raise AssertionError(f"an entity crosses a sentence-aligned window edge at unit {edge}")


def test_window_never_longer_than_max_length_with_a_long_unit():
    tok = tokenizer("sentencepiece")
    prefix, suffix = special_tokens(tok)
    text = "قتل في من قتل في ExtraordinaryWordExtraordinaryWord قتل في من قتل في"
    enc = encode_text(text, tok, 32, 8, len(prefix), len(suffix))
    assert max(len(t) for t in enc.unit_tokens) == 24
    assert all(len(wi.input_ids) <= 32 for wi in window_inputs(enc, prefix, suffix))


@pytest.mark.parametrize("kind", KINDS)
def test_document_targets_links_and_outcomes(kind):
    text = "قتل 12 عنصرا من قوات النظام وأصيب 3 مدنيين"
    doc = make_doc(text, [("COUNT", "12"), ("ACTOR", "قوات النظام"), ("COUNT", "3"), ("ACTOR", "مدنيين")])
    doc.entities[2].outcome = "wounded"
    doc.relations = [Relation(0, 0, 1), Relation(1, 2, 3)]
    tok = tokenizer(kind)
    enc = encode_text(text, tok, 64, 8)
    spans, links, lost = document_targets(enc, doc)
    assert lost == 0
    assert [(enc.norm.text[enc.units[a][0]:enc.units[b - 1][1]], lab, out) for a, b, lab, out in spans] == [
        ("12", "COUNT", "killed"), ("قوات النظام", "ACTOR", None), ("3", "COUNT", "wounded"), ("مدنيين", "ACTOR", None)]
    assert links == {(0, 1), (2, 3)}
    assert unit_tags(len(enc.units), spans) == ["O", "B-COUNT", "O", "O", "B-ACTOR", "I-ACTOR", "O", "B-COUNT", "B-ACTOR"]


def test_char_to_unit_and_unit_to_raw():
    text = 'قتل عناصر القــوات، لـ"داعش"'
    enc = encode_text(text, tokenizer("wordpiece"), 64, 8)
    assert [enc.norm.text[s:e] for s, e in enc.units] == ["قتل", "عناصر", "القوات", "،", "ل", '"', "داعش", '"']
    s = text.index("القــوات")
    assert enc.char_to_unit(s, s + len("القــوات")) == (2, 3)
    assert enc.unit_to_raw(2, 3) == (s, s + len("القــوات"))
    s = text.index("داعش")
    assert enc.char_to_unit(s, s + 4) == (6, 7)
    assert enc.unit_to_raw(4, 7) == (text.index("لـ"), s + 4)
    assert enc.char_to_unit(3, 4) is None  # a space covers no unit


def test_empty_text():
    enc = encode_text("", tokenizer("sentencepiece"), 64, 8)
    assert enc.units == [] and enc.windows == []
    assert window_inputs(enc, [0], [2]) == []


# --- property: random texts, random gold --------------------------------------------------------

WORDS = ["قتل", "عنصرا", "القــوات", "مدنياً", "إدلب", "٣٧", "۱۲", "12", "لـ40", "نحو70", "وقوات", "بريف",
         "طفلٌ", "غزةَ", "الميليشياتالمسلحة", "Reuters", "ExtraordinaryWord", "داعش", "قسد", "أمس", "الثلاثاءِ"]
LEADS = ["", "", "", '"', "(", "«", 'لـ"', "و(", "..."]
TRAILS = ["", "", "", "،", ".", '"', ")", "»", "؟", '"،', ").", " 😀"]
SEPS = [" ", " ", " ", "\u00a0", "\n", " - ", "\u202f", "\u200f "]


@st.composite
def documents(draw):
    n = draw(st.integers(1, 25))
    text, cores = "", []
    for k in range(n):
        if k:
            text += draw(st.sampled_from(SEPS))
        text += draw(st.sampled_from(LEADS))
        word = draw(st.sampled_from(WORDS))
        cores.append((len(text), len(text) + len(word)))
        text += word + draw(st.sampled_from(TRAILS))
    ents, k = [], 0
    while k < n:
        if draw(st.booleans()):
            length = draw(st.integers(1, 3))
            j = min(n, k + length)
            ents.append(Entity(len(ents), draw(st.sampled_from(ENTITY_LABELS)), cores[k][0], cores[j - 1][1]))
            k = j + draw(st.integers(0, 1))  # adjacent entities allowed
        else:
            k += 1
    return Document("p", text, ents)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), max_length=st.sampled_from([32, 64, 512]))
def test_random_documents_round_trip(kind, doc, max_length):
    assert check_document(doc.to_json()) == []
    _, _, _, decoded = round_trip(doc, kind, max_length=max_length, stride=6)
    assert decoded == gold(doc)


# --- partial labels -------------------------------------------------------------------------------

def test_allowed_tags_for_a_corpus_without_date_and_count():
    annotates = ("ACTOR", "LOCATION", "PERSON")
    o = allowed_tags("O", annotates)
    assert sorted(ID2TAG[i] for i in o) == sorted(["O", "B-DATE", "I-DATE", "B-COUNT", "I-COUNT"])
    assert o[0] == TAG2ID["O"]
    for tag in ("B-ACTOR", "I-ACTOR", "B-LOCATION", "I-PERSON"):
        assert allowed_tags(tag, annotates) == [TAG2ID[tag]]
    assert allowed_tags("O", ENTITY_LABELS) == [TAG2ID["O"]]
    assert sorted(allowed_tags("O", ())) == list(range(len(TAG2ID)))


def test_allowed_tags_with_a_custom_tag_set():
    t2i = tag_set(["ACTOR", "COUNT"])
    assert t2i == {"O": 0, "B-ACTOR": 1, "I-ACTOR": 2, "B-COUNT": 3, "I-COUNT": 4}
    assert allowed_tags("O", ("ACTOR",), t2i) == [0, 3, 4]
    assert allowed_tags("I-COUNT", ("ACTOR",), t2i) == [4]
    assert tag_set(ENTITY_LABELS) == TAG2ID


@pytest.mark.parametrize("kind", KINDS)
def test_training_windows_put_allowed_tags_on_first_tokens(kind):
    from conflict_ner.training.data import document_windows

    doc = make_doc(*CASES["brackets"])
    tok = tokenizer(kind)
    prefix, suffix = special_tokens(tok)
    annotates = ("ACTOR", "LOCATION", "PERSON")
    wins, lost = document_windows(doc, tok, prefix, suffix, 64, 8, annotates, True, 50, TAG2ID)
    assert lost == 0
    enc = encode_text(doc.text, tok, 64, 8, len(prefix), len(suffix))
    tags = unit_tags(len(enc.units), document_targets(enc, doc)[0])
    for wi in wins:
        first = set(wi.first_token)
        for pos, allowed in enumerate(wi.labels):
            if pos not in first:
                assert allowed == []
        for k, u in enumerate(range(wi.window.start, wi.window.end)):
            assert wi.labels[wi.first_token[k]] == allowed_tags(tags[u], annotates)
            if tags[u] == "O":
                assert {ID2TAG[i] for i in wi.labels[wi.first_token[k]]} == {"O", "B-DATE", "I-DATE", "B-COUNT", "I-COUNT"}
