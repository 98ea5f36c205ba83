"""Document-level rules after the heads (conflict_ner/doc_rules.py)."""

from __future__ import annotations

from conflict_ner.doc_rules import (
    apply_outcome_cues,
    drop_breakdown_links,
    is_headline,
    link_coordinated,
    link_others,
    link_possessed,
    outcome_cues,
    share_headline_sides,
)

OUTCOMES = ["killed", "wounded", "missing", "captured", "displaced", "other"]


def count(text: str, surface: str, outcome: str, value: int | None = None, occurrence: int = 0) -> dict:
    s = -1
    for _ in range(occurrence + 1):
        s = text.index(surface, s + 1)
    return {"label": "COUNT", "text": surface, "start": s, "end": s + len(surface), "outcome": outcome,
            "outcome_score": 0.5, "value": value, "approximate": False}


def actor(text: str, surface: str) -> dict:
    s = text.index(surface)
    return {"label": "ACTOR", "text": surface, "start": s, "end": s + len(surface)}


def test_cue_words_next_to_a_count_name_its_outcome():
    text = "وقال إن نحو 200 مدني نزحوا من الأحياء، ومقتل 62 نازحا وفقدان العشرات منهم"
    c200, c62, many = (count(text, s, "other") for s in ("200", "62", "العشرات"))
    stops = [(c["start"], c["end"]) for c in (c200, c62, many)]
    assert outcome_cues(text, c200["start"], c200["end"], stops) == {"displaced"}
    # several cues: the rule then leaves the head's outcome alone
    assert outcome_cues(text, c62["start"], c62["end"], stops) == {"killed", "displaced", "missing"}
    assert outcome_cues(text, many["start"], many["end"], stops) == {"missing", "displaced"}
    text = "قتل 5 و3 أسرى"  # the scan stops at the next count: "أسرى" is the 3's
    c5, c3 = count(text, "5", "other"), count(text, "و3", "other")
    stops = [(c5["start"], c5["end"]), (c3["start"], c3["end"])]
    assert outcome_cues(text, c5["start"], c5["end"], stops) == {"killed"}
    assert outcome_cues(text, c3["start"], c3["end"], stops) == {"captured"}


def test_family_and_israel_are_no_capture_cues():
    text = "قتل 5 من أسرة واحدة و3 إسرائيليين"
    c = count(text, "5", "killed")
    assert outcome_cues(text, c["start"], c["end"], []) == {"killed"}


def test_a_cue_overrides_the_head_only_where_the_head_allows_it():
    """regression: the sample article's "نحو 200 مدني نزحوا" came out as missing (head: missing
    0.53, displaced 0.25)."""
    text = "وأضاف أن نحو 200 مدني نزحوا إلى مدينة هجين"
    ents = [count(text, "200", "missing")]
    apply_outcome_cues(text, ents, {0: [0.0, 0.04, 0.53, 0.0, 0.25, 0.18]}, OUTCOMES, min_prob=0.1)
    assert ents[0]["outcome"] == "displaced" and ents[0]["outcome_score"] == 0.25
    ents = [count(text, "200", "missing")]
    apply_outcome_cues(text, ents, {0: [0.0, 0.04, 0.9, 0.0, 0.05, 0.01]}, OUTCOMES, min_prob=0.1)
    assert ents[0]["outcome"] == "missing"  # the head is sure: the cue does not win


def test_a_headline_count_takes_the_sides_of_its_restatement():
    """regression: the sample headline's "وثلاثة جنود" had no side; the body names it explicitly."""
    text = "مقتل 14 عنصرا وثلاثة جنود في هجوم\n\nقتل 14 عنصرا من داعش وثلاثة جنود من قوات سوريا الديمقراطية"
    ents = [count(text, "14", "killed", 14), count(text, "وثلاثة", "killed", 3),
            count(text, "14", "killed", 14, occurrence=1), actor(text, "داعش"),
            count(text, "وثلاثة", "killed", 3, occurrence=1), actor(text, "قوات سوريا الديمقراطية")]
    links = [(2, 3, 0.8), (4, 5, 0.7)]
    got = share_headline_sides(text, ents, links)
    assert sorted(got) == sorted(links + [(0, 3, 0.8), (1, 5, 0.7)])


def test_only_headline_counts_with_the_same_value_outcome_and_noun_take_sides():
    text = "مقتل 3 جنود\n\nقتل 3 مدنيين من القرية وأصيب 3 جنود من الجيش"
    ents = [count(text, "3", "killed", 3), count(text, "3", "killed", 3, occurrence=1), actor(text, "القرية"),
            count(text, "3", "wounded", 3, occurrence=2), actor(text, "الجيش")]
    links = [(1, 2, 0.9), (3, 4, 0.9)]
    assert share_headline_sides(text, ents, links) == links  # other noun; other outcome
    assert not is_headline("خطفت جبهة النصرة من جديد خمسة مقاتلين.") and is_headline("مقتل 3 جنود")
    body_only = "قتل 3 جنود من الجيش وقتل 3 جنود"  # no headline: nothing to share
    ents = [count(body_only, "3", "killed", 3), actor(body_only, "الجيش"), count(body_only, "3", "killed", 3, occurrence=1)]
    assert share_headline_sides(body_only, ents, [(0, 1, 0.9)]) == [(0, 1, 0.9)]


def ents_of(text: str, items: list[tuple[str, str, int]]) -> list[dict]:
    """Entities from (surface, label, occurrence)."""
    out = []
    for surface, label, occ in items:
        e = count(text, surface, "killed", occurrence=occ) if label == "COUNT" else None
        if e is None:
            s = -1
            for _ in range(occ + 1):
                s = text.index(surface, s + 1)
            e = {"label": label, "text": surface, "start": s, "end": s + len(surface)}
        out.append(e)
    return out


def test_a_total_is_not_linked_to_a_group_in_its_breakdown():
    """regression: "قتل حوالي 100 شخص، بينهم نساء وأطفال" linked 100 to نساء; the spec leaves a total
    with its breakdown unlinked unless its side is named."""
    text = "قتل حوالي 100 شخص، بينهم نساء وأطفال، وأصيب 5 من الجيش"
    ents = ents_of(text, [("100", "COUNT", 0), ("نساء", "ACTOR", 0), ("5", "COUNT", 0), ("الجيش", "ACTOR", 0)])
    assert drop_breakdown_links(text, ents, [(0, 1, 0.5), (2, 3, 0.9)]) == [(2, 3, 0.9)]


def test_a_count_of_pronoun_possessed_members_links_to_the_group_before_it():
    """regression: "قالت منظمة أطباء بلا حدود إن اثنين من موظفيها قتلا" left اثنين unlinked."""
    text = "قالت منظمة أطباء بلا حدود إن اثنين من موظفيها قتلا، وقتل 3 من المدينة"
    ents = ents_of(text, [("منظمة أطباء بلا حدود", "ACTOR", 0), ("اثنين", "COUNT", 0), ("3", "COUNT", 0)])
    assert link_possessed(text, ents, []) == [(1, 0, 0.5)]  # "المدينة" is no possessed member noun
    text = "وأعلن الجيش مقتل 30 مقاتلا منها"
    ents = ents_of(text, [("الجيش", "ACTOR", 0), ("30", "COUNT", 0)])
    assert link_possessed(text, ents, []) == [(1, 0, 0.5)]


def test_others_and_breakdown_parts_take_the_side_of_the_count_they_continue():
    """regression: "مقتل أربعة من جنوده وإصابة ١٤ آخرين، بينهم ثلاثة بجروح خطيرة" linked only the first."""
    text = "أعلن الجيش مقتل أربعة من جنوده وإصابة ١٤ آخرين، بينهم ثلاثة بجروح خطيرة"
    ents = ents_of(text, [("الجيش", "ACTOR", 0), ("أربعة", "COUNT", 0), ("١٤", "COUNT", 0), ("ثلاثة", "COUNT", 0)])
    assert link_others(text, ents, [(1, 0, 0.9)]) == [(1, 0, 0.9), (2, 0, 0.9), (3, 0, 0.9)]
    # "آخرين" after the parts of a breakdown continues the total, not its last part
    text = "استشهاد ٤٩٢ شخصا، بينهم ٣٥ طفلا و٥٨ امرأة، وإصابة ١٦٤٥ آخرين"
    ents = ents_of(text, [("٤٩٢", "COUNT", 0), ("٣٥", "COUNT", 0), ("طفلا", "ACTOR", 0), ("و٥٨", "COUNT", 0),
                          ("امرأة", "ACTOR", 0), ("١٦٤٥", "COUNT", 0)])
    links = [(1, 2, 0.9), (3, 4, 0.9)]
    assert link_others(text, ents, links) == links


def test_a_count_linked_to_one_of_two_coordinated_groups_counts_both():
    """regression: "21 من عناصر الجيش والحشد الشعبي" linked only عناصر الجيش (the evaluation passages link both)."""
    text = "قتل 21 من عناصر الجيش والحشد الشعبي و3 من داعش"
    ents = ents_of(text, [("21", "COUNT", 0), ("عناصر الجيش", "ACTOR", 0), ("والحشد الشعبي", "ACTOR", 0),
                          ("و3", "COUNT", 0), ("داعش", "ACTOR", 0)])
    assert link_coordinated(text, ents, [(0, 1, 0.9), (3, 4, 0.8)]) == [(0, 1, 0.9), (0, 2, 0.9), (3, 4, 0.8)]
    text = "قتل 20 متمردا وأربعة جنود صوماليين"  # a count between: no coordination
    ents = ents_of(text, [("20", "COUNT", 0), ("متمردا", "ACTOR", 0), ("وأربعة", "COUNT", 0), ("جنود صوماليين", "ACTOR", 0)])
    assert link_coordinated(text, ents, [(0, 1, 0.9)]) == [(0, 1, 0.9)]
