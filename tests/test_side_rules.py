"""The spec's side rules over the pair head's links (conflict_ner/side_rules.py)."""

from __future__ import annotations

from entity_dicts import actor, count, ents_of

from conflict_ner.side_rules import (
    drop_breakdown_links,
    is_headline,
    link_coordinated,
    link_others,
    link_possessed,
    share_headline_sides,
)


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
