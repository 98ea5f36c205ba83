"""Span edges settled by the words (conflict_ner/boundary_rules.py), one regression test per rule,
each on the split or merge the default model got wrong before the rule."""

from __future__ import annotations

import pytest

from conflict_ner import boundary_rules as br
from conflict_ner.text.windows import unit_spans


def run(rule, text: str, predicted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Apply ``rule`` to spans given as (surface, label), each found at its first occurrence."""
    units, is_word = unit_spans(text)
    spans = []
    for surface, label in predicted:
        s = text.index(surface)
        e = s + len(surface)
        a = next(k for k, (us, _) in enumerate(units) if us == s)
        b = next(k for k, (_, ue) in enumerate(units) if ue == e) + 1
        spans.append((a, b, label))
    out = rule(spans, units, is_word, text)
    return [(text[units[a][0] : units[b - 1][1]], label) for a, b, label in out]


def test_no_span_runs_across_a_line_break():
    """regression: "قباطية\\n\\nجنين" (a dateline and the body) came out as one LOCATION."""
    text = "اعتقالات في قباطية\n\nجنين - قالت مصادر"
    assert run(br.split_at_line_breaks, text, [("قباطية\n\nجنين", "LOCATION")]) == [
        ("قباطية", "LOCATION"), ("جنين", "LOCATION")]


def test_a_span_ends_before_a_relative_pronoun():
    """regression: "اللجنة المركزية التي" took the relative pronoun (the spec keeps relative clauses out)."""
    text = "وقالت اللجنة المركزية التي تتابع الملف"
    assert run(br.cut_relative_clauses, text, [("اللجنة المركزية التي", "ACTOR")]) == [("اللجنة المركزية", "ACTOR")]


def test_a_weekday_at_the_end_of_a_span_is_a_date():
    """regression: "الأمم المتحدة الخميس" was one ACTOR."""
    text = "وقالت الأمم المتحدة الخميس إن"
    assert run(br.split_off_weekdays, text, [("الأمم المتحدة الخميس", "ACTOR")]) == [
        ("الأمم المتحدة", "ACTOR"), ("الخميس", "DATE")]
    assert run(br.split_off_weekdays, text, [("الخميس", "DATE")]) == [("الخميس", "DATE")]


@pytest.mark.parametrize("text, predicted, expected", [
    ("في بلدة جبع جنوب جنين أمس", "بلدة جبع جنوب جنين", ["بلدة جبع", "جنوب جنين"]),
    ("في بلدة بنش بريف إدلب الشرقي", "بلدة بنش بريف إدلب الشرقي", ["بلدة بنش", "بريف إدلب الشرقي"]),
    ("في بلدة المحفد محافظة ابين", "بلدة المحفد محافظة ابين", ["بلدة المحفد", "محافظة ابين"]),
    # directions after a direction, and a place noun's own name, stay whole
    ("في شمال غربي محافظة الضالع", "شمال غربي محافظة الضالع", ["شمال غربي محافظة الضالع"]),
    ("في جنوب وغرب كركوك", "جنوب وغرب كركوك", ["جنوب وغرب كركوك"]),
    ("في بولاية غرب دارفور", "بولاية غرب دارفور", ["بولاية غرب دارفور"]),
    ("في ريف حلب الشمالي", "ريف حلب الشمالي", ["ريف حلب الشمالي"]),
])
def test_a_location_splits_where_a_new_place_starts(text, predicted, expected):
    """regression: "بلدة عنبتا شرق طولكرم" was one LOCATION; the evaluation passages tag two."""
    assert run(br.split_new_places, text, [(predicted, "LOCATION")]) == [(x, "LOCATION") for x in expected]


def test_a_lone_head_joins_the_next_span_of_its_label():
    """regression: "شمال" + "غرب سوريا" and "قبل" + "أيام" came out as two spans each."""
    text = "في شمال غرب سوريا قبل أيام"
    got = run(br.join_lone_heads, text, [("شمال", "LOCATION"), ("غرب سوريا", "LOCATION"), ("قبل", "DATE"), ("أيام", "DATE")])
    assert got == [("شمال غرب سوريا", "LOCATION"), ("قبل أيام", "DATE")]
    # a lone head next to a span of another label stays alone; a full span is no head
    text = "في شمال قوات الجيش"
    assert run(br.join_lone_heads, text, [("شمال", "LOCATION"), ("قوات الجيش", "ACTOR")]) == [
        ("شمال", "LOCATION"), ("قوات الجيش", "ACTOR")]


def test_a_lone_date_head_takes_the_time_words_after_it():
    """regression: "منذ" was a DATE and "أسابيع" after it was left out."""
    text = "منذ أسابيع قتل 3 وفجر اليوم جرى"
    assert run(br.join_lone_heads, text, [("منذ", "DATE"), ("وفجر", "DATE")]) == [
        ("منذ أسابيع", "DATE"), ("وفجر اليوم", "DATE")]


def test_a_rank_before_a_person_belongs_to_the_person():
    """regression: "العقيد نديم الحسن" was tagged without the rank, or the rank went to the ACTOR before it."""
    text = "قتل قائد الفرقة العقيد نديم الحسن وقال اللواء / محمد سعد"
    got = run(br.attach_ranks, text, [("الفرقة العقيد", "ACTOR"), ("نديم الحسن", "PERSON"), ("محمد سعد", "PERSON")])
    assert got == [("الفرقة", "ACTOR"), ("العقيد نديم الحسن", "PERSON"), ("اللواء / محمد سعد", "PERSON")]
    text = "وقال المتحدث علي"  # a functional title is no rank (the spec keeps it outside)
    assert run(br.attach_ranks, text, [("علي", "PERSON")]) == [("علي", "PERSON")]


@pytest.mark.parametrize("text, predicted, expected", [
    ("هاجم الجيش والشرطة الأفغانية", "الجيش والشرطة الأفغانية", ["الجيش", "والشرطة الأفغانية"]),
    ("بين الحكومة والحوثيين", "الحكومة والحوثيين", ["الحكومة", "والحوثيين"]),
    # one name: a construct head, a nisba adjective, a ل phrase governing both
    ("هاجمت قوات الدفاع والأمن", "قوات الدفاع والأمن", ["قوات الدفاع والأمن"]),
    ("هاجمت القوات الرواندية والموزمبيقية", "القوات الرواندية والموزمبيقية", ["القوات الرواندية والموزمبيقية"]),
    ("قالت المنسقية العامة للنازحين واللاجئين", "المنسقية العامة للنازحين واللاجئين",
     ["المنسقية العامة للنازحين واللاجئين"]),
])
def test_two_groups_joined_by_waw_are_two_actors(text, predicted, expected):
    """regression: "الجيش والشرطة" was one ACTOR, so a count of police linked to nobody's side."""
    assert run(br.split_conjoined_groups, text, [(predicted, "ACTOR")]) == [(x, "ACTOR") for x in expected]


def test_the_default_chain_runs_every_rule():
    text = "قالت الأمم المتحدة الخميس إن في شمال غرب سوريا"
    got = run(br.apply_boundary_rules, text, [("الأمم المتحدة الخميس", "ACTOR"), ("شمال", "LOCATION"), ("غرب سوريا", "LOCATION")])
    assert got == [("الأمم المتحدة", "ACTOR"), ("الخميس", "DATE"), ("شمال غرب سوريا", "LOCATION")]
