"""Character-offset scores by the spec's rules, pinned on hand-made gold/prediction pairs."""

from __future__ import annotations

import pytest

from conflict_ner.decoding import side_key
from conflict_ner.document import Document, Entity, Relation
from conflict_ner.evaluation.spans import count_scores, entity_scores, prf, relation_scores


def find(text: str, surface: str, occurrence: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(occurrence + 1):
        i = text.index(surface, i + 1)
    return i, i + len(surface)


def doc_of(text: str, ents: list[tuple[str, str, int]], links: list[tuple[int, int]] = (),
           outcomes: dict[int, str] | None = None) -> Document:
    """ents: (surface, label, occurrence); links: (count index, actor index) into ents."""
    out = []
    for k, (surface, label, occ) in enumerate(ents):
        s, e = find(text, surface, occ)
        out.append(Entity(k, label, s, e, (outcomes or {}).get(k)))
    return Document("d", text, out, [Relation(k, c, a) for k, (c, a) in enumerate(links)])


def pred_of(doc: Document, ents: list[tuple[str, str, int]], links: list[tuple[int, int]] = ()) -> dict:
    out = []
    for surface, label, occ in ents:
        s, e = find(doc.text, surface, occ)
        out.append({"label": label, "start": s, "end": e, "text": surface})
    return {"entities": out, "relations": [{"count": c, "actor": a, "label": "side", "score": 0.9} for c, a in links]}


def test_prf_by_hand():
    assert prf(2, 4, 5) == {"precision": 0.5, "recall": 0.4, "f1": 0.4444, "tp": 2, "pred": 4, "gold": 5}
    assert prf(0, 0, 3)["f1"] == 0.0 and prf(0, 2, 0)["precision"] == 0.0


def test_entity_scores_exact_offsets_micro_macro_per_label():
    text = "قتل 12 عنصرا من قوات النظام في إدلب أمس"
    gold = doc_of(text, [("12", "COUNT", 0), ("قوات النظام", "ACTOR", 0), ("إدلب", "LOCATION", 0), ("أمس", "DATE", 0)])
    pred = pred_of(gold, [("12", "COUNT", 0), ("النظام", "ACTOR", 0), ("إدلب", "LOCATION", 0), ("أمس", "PERSON", 0)])
    s = entity_scores([gold], [pred["entities"]])
    # 2 of 4 predictions exact, 2 of 4 gold found.
    assert s["micro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 2, "pred": 4, "gold": 4}
    assert s["per_label"]["COUNT"]["f1"] == 1.0 and s["per_label"]["LOCATION"]["f1"] == 1.0
    assert s["per_label"]["ACTOR"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 1, "gold": 1}
    assert s["per_label"]["DATE"]["gold"] == 1 and s["per_label"]["DATE"]["pred"] == 0
    assert s["per_label"]["PERSON"]["pred"] == 1 and s["per_label"]["PERSON"]["gold"] == 0
    # macro over the labels with gold (COUNT, ACTOR, LOCATION, DATE): (1 + 0 + 1 + 0) / 4
    assert s["macro_f1"] == 0.5


def test_another_mention_of_the_same_side_counts_by_side_not_by_mention():
    text = "هاجمت قوات النظام البلدة. وقتل 5 من قوات النظام، وأصيب 7 مدنيين."
    ents = [("قوات النظام", "ACTOR", 0), ("5", "COUNT", 0), ("قوات النظام", "ACTOR", 1), ("7", "COUNT", 0), ("مدنيين", "ACTOR", 0)]
    gold = doc_of(text, ents, links=[(1, 2), (3, 4)])  # 5 -> the nearest mention, 7 -> مدنيين
    pred = pred_of(gold, ents, links=[(1, 0), (3, 4)])  # 5 -> the earlier mention of the same side
    s = relation_scores([gold], [pred])
    assert s["by_mention"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "pred": 2, "gold": 2}
    assert s["by_side"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "pred": 2, "gold": 2}


def test_a_wrong_count_span_fails_both():
    text = "وقتل نحو 30 من قوات النظام"
    gold = doc_of(text, [("30", "COUNT", 0), ("قوات النظام", "ACTOR", 0)], links=[(0, 1)])
    pred = pred_of(gold, [("نحو 30", "COUNT", 0), ("قوات النظام", "ACTOR", 0)], links=[(0, 1)])
    s = relation_scores([gold], [pred])
    assert s["by_mention"]["tp"] == 0 and s["by_side"]["tp"] == 0
    assert s["by_side"]["pred"] == 1 and s["by_side"]["gold"] == 1


def test_two_links_to_one_side_count_twice_by_mention_once_by_side():
    # A gold file that links one count to two mentions of one side: by mention both links are
    # gold, by side the side is one gold item and the second predicted link is a duplicate.
    text = "قوات النظام خسرت 4 جنود من قوات النظام"
    ents = [("قوات النظام", "ACTOR", 0), ("4", "COUNT", 0), ("قوات النظام", "ACTOR", 1)]
    gold = doc_of(text, ents, links=[(1, 0), (1, 2)])
    pred = pred_of(gold, ents, links=[(1, 0), (1, 2)])
    s = relation_scores([gold], [pred])
    assert s["by_mention"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "pred": 2, "gold": 2}
    assert s["by_side"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "tp": 1, "pred": 2, "gold": 1}


@pytest.mark.parametrize("surface", ["وقوات النظام", "بقوات النظام", "لقوات النظام", "وبقوات النظام", "قـوات النظام", "قُوَّات النظام"])
def test_proclitic_tatweel_and_diacritics_differing_actor_matches_by_side(surface):
    text = f"قتل 5 من قوات النظام. وقالت مصادر إن {surface} تقدمت."
    gold = doc_of(text, [("5", "COUNT", 0), ("قوات النظام", "ACTOR", 0), (surface, "ACTOR", 0)], links=[(0, 1)])
    pred = pred_of(gold, [("5", "COUNT", 0), ("قوات النظام", "ACTOR", 0), (surface, "ACTOR", 0)], links=[(0, 2)])
    s = relation_scores([gold], [pred])
    assert side_key(surface) == side_key("قوات النظام") == "قوات النظام"
    assert s["by_side"]["tp"] == 1 and s["by_side"]["f1"] == 1.0
    assert s["by_mention"]["tp"] == 0 and s["by_mention"]["f1"] == 0.0


def test_a_different_side_is_wrong_by_side():
    text = "قتل 5 من قوات النظام ومدنيين"
    gold = doc_of(text, [("5", "COUNT", 0), ("قوات النظام", "ACTOR", 0), ("ومدنيين", "ACTOR", 0)], links=[(0, 1)])
    pred = pred_of(gold, [("5", "COUNT", 0), ("قوات النظام", "ACTOR", 0), ("ومدنيين", "ACTOR", 0)], links=[(0, 2)])
    s = relation_scores([gold], [pred])
    assert s["by_side"]["tp"] == 0 and s["by_side"]["pred"] == 1 and s["by_side"]["gold"] == 1


def test_count_scores_outcome_and_value_on_exact_counts():
    text = "قتل 12 مدنيا وأصيب ثلاثة وفقد نحو 40"
    gold = doc_of(text, [("12", "COUNT", 0), ("ثلاثة", "COUNT", 0), ("40", "COUNT", 0)],
                  outcomes={0: "killed", 1: "wounded", 2: "missing"})
    pred = pred_of(gold, [("12", "COUNT", 0), ("ثلاثة", "COUNT", 0), ("نحو 40", "COUNT", 0)])
    pred["entities"][0].update(outcome="killed", value=12)
    pred["entities"][1].update(outcome="killed", value=3)
    pred["entities"][2].update(outcome="missing", value=40)  # span not exact: not scored
    values = [{find(text, "12"): 12, find(text, "ثلاثة"): 4}]
    s = count_scores([gold], [pred], values)
    assert s == {"found": 2, "outcome_accuracy": 0.5, "outcome_n": 2, "value_accuracy": 0.5, "value_n": 2}
    assert "value_accuracy" not in count_scores([gold], [pred])
