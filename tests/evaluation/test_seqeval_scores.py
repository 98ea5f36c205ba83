"""Word-level seqeval scores from character spans: units of the raw text, strict and lenient."""

from __future__ import annotations

import pytest

from conflict_ner.document import Document, Entity
from conflict_ner.evaluation.seqeval_scores import seqeval_scores, sequences, span_tags
from conflict_ner.evaluation.spans import entity_scores
from conflict_ner.text.windows import unit_spans

TEXT = "قتل 12 عنصرا من قوات النظام في ريف إدلب أمس."


def span(text: str, surface: str, label: str) -> tuple[int, int, str]:
    i = text.index(surface)
    return i, i + len(surface), label


def gold_doc(text: str, spans: list[tuple[int, int, str]], doc_id: str = "d") -> Document:
    return Document(doc_id, text, [Entity(k, lab, s, e) for k, (s, e, lab) in enumerate(spans)])


def as_pred(spans):
    return [{"start": s, "end": e, "label": lab} for s, e, lab in spans]


GOLD = [span(TEXT, "12", "COUNT"), span(TEXT, "قوات النظام", "ACTOR"), span(TEXT, "ريف إدلب", "LOCATION"), span(TEXT, "أمس", "DATE")]


def test_tags_follow_the_raw_word_units():
    units, _ = unit_spans(TEXT)
    assert [TEXT[s:e] for s, e in units] == ["قتل", "12", "عنصرا", "من", "قوات", "النظام", "في", "ريف", "إدلب", "أمس", "."]
    tags, placed = span_tags(units, GOLD)
    assert placed == 4
    assert tags == ["O", "B-COUNT", "O", "O", "B-ACTOR", "I-ACTOR", "O", "B-LOCATION", "I-LOCATION", "B-DATE", "O"]


def test_overlapping_predictions_keep_the_earlier_units():
    units, _ = unit_spans(TEXT)
    a = span(TEXT, "قوات النظام", "ACTOR")
    b = span(TEXT, "النظام في", "LOCATION")
    tags, placed = span_tags(units, [a, b])
    assert placed == 2
    assert tags[4:7] == ["B-ACTOR", "I-ACTOR", "B-LOCATION"]


def test_strict_and_lenient_by_hand_and_a_cut_word_widened():
    gold = gold_doc(TEXT, GOLD)
    d = TEXT.index("أمس")
    pred = [span(TEXT, "12", "COUNT"), span(TEXT, "النظام", "ACTOR"), span(TEXT, "ريف إدلب", "LOCATION"),
            (d, d + 2, "DATE")]  # cuts the word أمس: wrong by characters, right at word level
    s = seqeval_scores([gold], [as_pred(pred)])
    for mode in ("strict", "lenient"):
        t = s[mode]
        # COUNT, LOCATION, DATE right; ACTOR boundary wrong: 3 of 4 either way.
        assert t["micro"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4}
        assert t["per_label"]["ACTOR"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
        assert t["per_label"]["DATE"]["f1"] == 1.0
        assert t["per_label"]["PERSON"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
        assert t["macro"]["f1"] == 0.75  # (0 + 1 + 1 + 1) / 4 labels seen
    assert s["strict"] == s["lenient"]  # decoded spans are well-formed IOB2
    assert entity_scores([gold], [as_pred(pred)])["micro"]["f1"] == 0.5  # exact chars: 2 of 4
    assert s["n_gold"] == 4


def test_raw_offsets_with_marks_tatweel_nbsp_and_indic_digits():
    text = "قُتِلَ\u00a0٣٧ مدنيـاً في «حلب»، أمس"
    spans = [span(text, "٣٧", "COUNT"), span(text, "مدنيـاً", "ACTOR"), span(text, "حلب", "LOCATION"), span(text, "أمس", "DATE")]
    s = seqeval_scores([gold_doc(text, spans)], [as_pred(spans)])
    assert s["strict"]["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 4}


def test_support_adds_up_to_every_gold_entity_over_many_documents_and_labels_filter():
    docs = [gold_doc(TEXT, GOLD, f"d{k}") for k in range(7)]
    s = seqeval_scores(docs, [[] for _ in docs])
    assert s["n_gold"] == 28
    assert sum(v["support"] for v in s["strict"]["per_label"].values()) == 28
    assert s["strict"]["micro"]["recall"] == 0.0
    only = seqeval_scores(docs, [as_pred(GOLD) for _ in docs], labels=("ACTOR", "LOCATION"))
    assert only["n_gold"] == 14 and only["strict"]["micro"]["f1"] == 1.0
    assert set(only["strict"]["per_label"]) == {"ACTOR", "LOCATION"}


def test_a_gold_entity_on_no_word_is_an_error_not_a_silent_drop():
    text = "قتل 5  مدنيين"
    i = text.index("  ")
    bad = gold_doc(text, [(i, i + 1, "COUNT")])  # a span on a space (a file that skipped validation)
    with pytest.raises(AssertionError, match="cover no word unit"):
        sequences([bad], [[]])


def test_no_entities_at_all_scores_zero():
    s = seqeval_scores([gold_doc(TEXT, [])], [[]])
    assert s["strict"]["micro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
