"""evaluate(): every section pinned on a stand-in engine with hand-made predictions, and a tiny
model with a 64-token window on a long text, where every gold entity must still count."""

from __future__ import annotations

import copy

import pytest
import torch

from conflict_ner.document import Document, Entity, Relation
from conflict_ner.evaluation import evaluate as ev
from conflict_ner.evaluation.report import markdown, summary

D1 = "هاجمت قوات النظام البلدة. وقتل 5 من قوات النظام، وأصيب 7 مدنيين."
D2 = "قتل 3 أشخاص في حلب أمس."


def at(text: str, surface: str, occurrence: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(occurrence + 1):
        i = text.index(surface, i + 1)
    return i, i + len(surface)


def gold_docs(values: dict[str, int] | None = None) -> list[Document]:
    a1, c1, a2, c2, a3 = at(D1, "قوات النظام"), at(D1, "5"), at(D1, "قوات النظام", 1), at(D1, "7"), at(D1, "مدنيين")
    extra1 = {"value": values["5"]} if values else {}
    extra2 = {"value": values["7"]} if values else {}
    d1 = Document("d1", D1, [
        Entity(0, "ACTOR", *a1), Entity(1, "COUNT", *c1, "killed", extra1), Entity(2, "ACTOR", *a2),
        Entity(3, "COUNT", *c2, "wounded", extra2), Entity(4, "ACTOR", *a3),
    ], [Relation(0, 1, 2), Relation(1, 3, 4)])
    d2 = Document("d2", D2, [Entity(0, "COUNT", *at(D2, "3"), "killed"), Entity(1, "LOCATION", *at(D2, "حلب")),
                             Entity(2, "DATE", *at(D2, "أمس"))])
    return [d1, d2]


def ent(text, surface, label, occurrence=0, score=0.99, **kw):
    s, e = at(text, surface, occurrence)
    return {"label": label, "text": surface, "start": s, "end": e, "score": score, **kw}


END_TO_END = [
    {"entities": [ent(D1, "قوات النظام", "ACTOR"), ent(D1, "5", "COUNT", outcome="killed", value=5),
                  ent(D1, "النظام", "ACTOR", 1, score=0.9),  # boundary error on the second mention
                  ent(D1, "7", "COUNT", outcome="killed", value=7), ent(D1, "مدنيين", "ACTOR")],
     "relations": [{"count": 1, "actor": 0, "label": "side", "score": 0.8},  # same side, other mention
                   {"count": 3, "actor": 4, "label": "side", "score": 0.7}]},
    {"entities": [ent(D2, "3", "COUNT", outcome="killed", value=3), ent(D2, "أشخاص", "LOCATION", score=0.95),
                  ent(D2, "حلب", "PERSON", score=0.8)],
     "relations": []},
]


class StandInEngine:
    """What evaluate() needs of an Extractor, answering with fixed predictions."""

    dtype = torch.float32
    device = torch.device("cpu")
    max_length = 64

    tokenizer = staticmethod(lambda texts, add_special_tokens=False: {"input_ids": [t.split() for t in texts]})

    def __init__(self):
        self.calls = []

    def extract(self, texts, gold_entities=None):
        self.calls.append(gold_entities)
        if gold_entities is None:
            return copy.deepcopy(END_TO_END)
        out = []
        for text, ents in zip(texts, gold_entities):
            es = [{"label": e["label"], "start": e["start"], "end": e["end"], "text": text[e["start"] : e["end"]], "score": 1.0}
                  for e in sorted(ents, key=lambda e: e["start"])]
            out.append({"entities": es, "relations": []})
        d1, d2 = out
        d1["entities"][1].update(outcome="killed", value=5)
        d1["entities"][3].update(outcome="wounded", value=7)
        d1["relations"] = [{"count": 1, "actor": 2, "label": "side", "score": 0.9},  # right
                           {"count": 3, "actor": 0, "label": "side", "score": 0.6}]  # wrong side
        d2["entities"][0].update(outcome="other", value=None)  # wrong outcome, unparsed
        return out


@pytest.fixture
def stand_in(monkeypatch):
    eng = StandInEngine()
    monkeypatch.setattr(ev, "load_engine", lambda *a, **k: (eng, "stand-in"))
    return eng


def test_every_section_by_hand(stand_in):
    r = ev.evaluate("ignored", gold_docs(), batch_size=4, data_name="hand")
    assert stand_in.calls[0] is None and len(stand_in.calls[1][0]) == 5  # end to end, then on the gold spans

    char = r["entities"]["char"]
    # 5 of 8 predictions exact, 5 of 8 gold found.
    assert char["micro"] == {"precision": 0.625, "recall": 0.625, "f1": 0.625, "tp": 5, "pred": 8, "gold": 8}
    assert char["per_label"]["ACTOR"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "tp": 2, "pred": 3, "gold": 3}
    assert char["per_label"]["COUNT"]["f1"] == 1.0
    assert char["per_label"]["LOCATION"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 1, "gold": 1}
    assert char["per_label"]["PERSON"]["pred"] == 1 and char["per_label"]["PERSON"]["gold"] == 0
    assert char["macro_f1"] == pytest.approx((0.6667 + 1.0 + 0.0 + 0.0) / 4, abs=1e-4)
    seq = r["entities"]["seqeval"]
    assert seq["strict"]["micro"] == {"precision": 0.625, "recall": 0.625, "f1": 0.625, "support": 8}
    assert seq["lenient"]["micro"] == seq["strict"]["micro"]

    rel = r["relations"]
    # end to end: 5 -> the first mention of its side (right by side only), 7 -> مدنيين (right both ways)
    assert rel["rel_plus"]["by_mention"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "pred": 2, "gold": 2}
    assert rel["rel_plus"]["by_side"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "pred": 2, "gold": 2}
    # on gold entities: 5 -> its gold mention (right), 7 -> قوات النظام (wrong side)
    assert rel["rel"]["by_mention"]["f1"] == 0.5 and rel["rel"]["by_side"] == rel["rel"]["by_mention"]
    # baseline: 5 -> قوات النظام 4 chars away, 7 -> مدنيين 1 char away; 3 has no ACTOR in its sentence
    assert rel["baseline_nearest_actor"]["by_mention"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "pred": 2, "gold": 2}
    assert rel["n_gold_links"] == 2

    c = r["counts"]
    assert c["found"] == 3 and c["gold"] == 3
    assert c["outcome_accuracy"] == 0.6667 and c["outcome_n"] == 3
    assert c["value_accuracy"] is None and c["value_n"] == 0 and c["value_note"] == ev.NO_VALUES_NOTE
    assert c["parse_coverage"] == 1.0 and c["parse_n"] == 3
    g = c["gold_entities"]
    assert g["outcome_accuracy"] == 0.6667 and g["parse_coverage"] == 0.6667 and g["parse_n"] == 3
    assert g["unparsed"] == [{"doc": "d2", "text": "3", "start": 4, "end": 5}]

    m = r["meta"]
    assert m["n_docs"] == 2 and m["n_gold_entities"] == 8 and m["n_gold_links"] == 2 and m["n_pred_entities"] == 8
    assert m["gold_entities_per_label"] == {"ACTOR": 3, "PERSON": 0, "LOCATION": 1, "DATE": 1, "COUNT": 3}
    assert m["model"] == "stand-in" and m["data"] == "hand" and m["batch_size"] == 4
    assert m["tokens"] == 18 and m["tokens_per_s"] > 0 and m["gold_spans_moved"] == 0


def test_value_accuracy_where_gold_counts_carry_values(stand_in):
    r = ev.evaluate("ignored", gold_docs(values={"5": 5, "7": 8}))
    c = r["counts"]
    assert c["value_accuracy"] == 0.5 and c["value_n"] == 2 and "value_note" not in c
    assert c["gold_entities"]["value_accuracy"] == 0.5


def test_labels_restrict_the_entity_scores(stand_in):
    r = ev.evaluate("ignored", gold_docs(), labels=("ACTOR", "LOCATION"))
    assert r["entities"]["char"]["micro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 2, "pred": 4, "gold": 4}
    assert r["meta"]["n_gold_entities"] == 4 and r["entities"]["seqeval"]["strict"]["micro"]["support"] == 4


def test_worst_errors_kinds_order_and_context():
    docs = gold_docs()
    e = ev.worst_errors(docs, copy.deepcopy(END_TO_END))["entities"]
    assert [(x["text"], x["kind"], x["label"]) for x in e["false_positives"]] == [
        ("أشخاص", "spurious", "LOCATION"), ("النظام", "boundary", "ACTOR"), ("حلب", "label", "PERSON")]
    assert [(x["text"], x["kind"]) for x in e["false_negatives"]] == [("أمس", "missed"), ("قوات النظام", "boundary"), ("حلب", "label")]
    miss = e["false_negatives"][0]
    assert miss["left"] == "قتل 3 أشخاص في حلب " and miss["right"] == "."
    assert e["false_positives"][1]["gold_here"] == ["ACTOR:قوات النظام"]
    long = Document("x", "ا" * 100 + " قتل 9 " + "ب" * 100, [Entity(0, "COUNT", 105, 106)])
    x = ev.worst_errors([long], [{"entities": [], "relations": []}], context=40)["entities"]["false_negatives"][0]
    assert len(x["left"]) == 40 and len(x["right"]) == 40 and x["left"].endswith("قتل ")

    # links on the gold-entity predictions: 7 -> قوات النظام is wrong, 7 -> مدنيين missed
    gold_mode = StandInEngine().extract([d.text for d in docs], [ev.gold_entity_dicts(d) for d in docs])
    r = ev.worst_errors(docs, gold_mode)["relations"]
    assert [(x["count"], x["actor"], x["gold_sides"]) for x in r["false_positives"]] == [("7", "قوات النظام", ["مدنيين"])]
    assert [(x["count"], x["actor"], x["count_found"]) for x in r["false_negatives"]] == [("7", "مدنيين", True)]


def test_nearest_actor_baseline_takes_the_closest_of_the_sentence_only():
    text = "قتل 4 من الجيش. وقال التنظيم إن 6 من عناصره قتلوا قرب الجيش"
    c1, a1, a2, c2, a3 = at(text, "4"), at(text, "الجيش"), at(text, "التنظيم"), at(text, "6"), at(text, "الجيش", 1)
    doc = Document("b", text, [Entity(0, "COUNT", *c1), Entity(1, "ACTOR", *a1), Entity(2, "ACTOR", *a2),
                               Entity(3, "COUNT", *c2), Entity(4, "ACTOR", *a3)])
    (res,) = ev.nearest_actor_baseline([doc])
    pairs = [(res["entities"][r["count"]]["start"], res["entities"][r["actor"]]["start"]) for r in res["relations"]]
    assert pairs == [(c1[0], a1[0]), (c2[0], a2[0])]  # التنظيم (4 chars before) beats الجيش (many after)


def test_thresholds_and_metric_names(stand_in):
    r = ev.evaluate("ignored", gold_docs())
    assert ev.metric(r, "entity_f1") == 0.625 and ev.metric(r, "count_f1") == 1.0
    assert ev.metric(r, "rel_plus") == 0.5 and ev.metric(r, "rel_plus_side") == 1.0 and ev.metric(r, "rel") == 0.5
    assert ev.metric(r, "relations.baseline_nearest_actor.by_side.f1") == 1.0
    assert ev.parse_thresholds("entity_f1=0.8, count_f1=0.9,rel_plus=0.7") == {"entity_f1": 0.8, "count_f1": 0.9, "rel_plus": 0.7}
    with pytest.raises(ValueError, match="not NAME=VALUE"):
        ev.parse_thresholds("entity_f1")
    with pytest.raises(ValueError, match="not a number"):
        ev.parse_thresholds("entity_f1=high")
    failed = ev.check_thresholds(r, {"entity_f1": 0.8, "count_f1": 0.9, "rel_plus": 0.7, "value_accuracy": 0.1})
    assert [(n, v) for n, v, _ in failed] == [("entity_f1", 0.625), ("rel_plus", 0.5), ("value_accuracy", None)]
    with pytest.raises(KeyError, match="unknown metric"):
        ev.metric(r, "f2")


def test_report_and_summary_hold_every_section(stand_in):
    r = ev.evaluate("ignored", gold_docs(), data_name="hand")
    md = markdown(r, "Hand")
    for heading in ("# Hand", "## Entities: exact character spans", "## Entities: word level (seqeval)",
                    "## Relations", "## Counts", "## Worst errors", "### Entities: false positives",
                    "### Links: false negatives"):
        assert heading in md
    assert "| **micro** | 0.6250 | 0.6250 | 0.6250 | 5 | 8 | 8 |" in md
    assert "| Rel+ (end to end, by mention) | 0.5000 | 0.5000 | 0.5000 | 1 | 2 | 2 |" in md
    assert "…قتل 3 أشخاص في حلب 【أمس】.…" in md
    assert ev.NO_VALUES_NOTE in md
    text = summary(r, ev.check_thresholds(r, {"entity_f1": 0.8, "count_f1": 0.9}), {"entity_f1": 0.8, "count_f1": 0.9})
    lines = text.splitlines()
    assert len(lines) <= 25
    assert any(line.startswith("Entities micro (exact chars)") and "0.625" in line for line in lines)
    assert any(line.startswith("Rel+ (end to end, by mention)") for line in lines)
    assert lines[-1] == "fail-under: entity_f1 0.625 < 0.8 FAIL; count_f1 1.000 >= 0.9 ok"


# --------------------------------------------------------------------------- a real tiny model


@pytest.fixture(scope="module")
def tiny64(tmp_path_factory):
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny64") / "model", max_positions=64)


def long_document(n: int = 30) -> Document:
    parts, ents, rels = [], [], []
    pos = 0
    for k in range(n):
        sent = f"قتل {k + 2} عنصرا من قوات النظام في ريف إدلب أمس. "
        for surface, label in (((str(k + 2)), "COUNT"), ("قوات النظام", "ACTOR"), ("ريف إدلب", "LOCATION"), ("أمس", "DATE")):
            s = sent.index(surface)
            ents.append(Entity(len(ents), label, pos + s, pos + s + len(surface), "killed" if label == "COUNT" else None))
        rels.append(Relation(k, len(ents) - 4, len(ents) - 3))
        parts.append(sent)
        pos += len(sent)
    return Document("long", "".join(parts).rstrip(), ents, rels)


def test_a_long_text_over_many_windows_drops_no_gold_entity(tiny64):
    doc = long_document()
    short = Document("short", D2, gold_docs()[1].entities)
    eng, _ = ev.load_engine(str(tiny64), batch_size=4, compute_dtype="fp32")
    assert eng.max_length == 64
    assert len(eng.encode(doc.text).windows) > 5  # the text needs many windows

    # the gold-entity pass gives back every gold span, exactly, across all windows
    (res,) = eng.extract([doc.text], gold_entities=[ev.gold_entity_dicts(doc)])
    assert [(e["start"], e["end"], e["label"]) for e in res["entities"]] == [(e.start, e.end, e.label) for e in doc.entities]

    r = ev.evaluate(str(tiny64), [doc, short], batch_size=4, compute_dtype="fp32")
    n = len(doc.entities) + len(short.entities)
    assert r["meta"]["n_gold_entities"] == n == 123
    assert sum(v["gold"] for v in r["entities"]["char"]["per_label"].values()) == n
    for mode in ("strict", "lenient"):
        assert sum(v["support"] for v in r["entities"]["seqeval"][mode]["per_label"].values()) == n
        assert r["entities"]["seqeval"][mode]["micro"]["support"] == n
    assert r["relations"]["rel"]["by_side"]["gold"] == 30 and r["relations"]["rel_plus"]["by_mention"]["gold"] == 30
    assert r["relations"]["baseline_nearest_actor"]["by_side"]["f1"] == 1.0
    assert r["counts"]["gold"] == 31 and r["counts"]["gold_entities"]["found"] == 31
    assert r["meta"]["gold_spans_moved"] == 0 and r["meta"]["max_length"] == 64
    for e in r["errors"]["entities"]["false_positives"]:
        assert 0 <= e["start"] < e["end"] <= len(doc.text)
