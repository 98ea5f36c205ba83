"""Tag and link decoding on unit indices."""

from __future__ import annotations

import pytest

from conflict_ner.decoding import (
    bio_spans,
    drop_member_nouns,
    is_bare_member_noun,
    merge_count_pieces,
    select_links,
    side_key,
)
from conflict_ner.text.windows import unit_spans


def test_bio_spans_read_like_seqeval_and_trim_punctuation():
    tags = ["B-ACTOR", "I-ACTOR", "I-LOCATION", "O", "I-DATE", "B-COUNT", "B-COUNT"]
    words = [True] * 7
    assert bio_spans(tags, words) == [(0, 2, "ACTOR"), (2, 3, "LOCATION"), (4, 5, "DATE"), (5, 6, "COUNT"), (6, 7, "COUNT")]
    assert bio_spans(["B-ACTOR", "I-ACTOR", "I-ACTOR"], [True, True, False]) == [(0, 2, "ACTOR")]


def test_count_pieces_of_one_number_are_merged():
    """regression: the model tagged '3 آلاف' and '1,100' as two COUNTs each."""
    for text, pieces, expected in [
        ("قتل 3 آلاف و200 شخص", [(1, 2), (2, 3), (3, 4)], (1, 4)),
        ("قتل 1,100 مدني", [(1, 2), (3, 4)], (1, 4)),
    ]:
        units, _ = unit_spans(text)
        merged = merge_count_pieces([(a, b, "COUNT") for a, b in pieces], units, text)
        assert merged == [(*expected, "COUNT")]


def test_counts_separated_by_a_comma_and_space_stay_apart():
    text = "قتل 5، 6 جرحى"
    units, _ = unit_spans(text)
    assert merge_count_pieces([(1, 2, "COUNT"), (3, 4, "COUNT")], units, text) == [(1, 2, "COUNT"), (3, 4, "COUNT")]


def test_one_link_per_side_keeps_the_nearest_mention():
    surfaces = ["12", "قوات النظام", "وقوات النظام", "المدنيين"]
    cands = {0: [(1, 0.9, 5), (2, 0.8, -2), (3, 0.4, 1)]}
    assert select_links(cands, surfaces, 0.5) == [(0, 2, 0.8)]
    assert side_key("وقوات النظـام") == "قوات النظام"


@pytest.mark.parametrize("surface", ["جنود", "الجنود", "والمسلحين", "عنصرا", "أشخاص", "مقاتلا", "جنديين", "قواتها", "وعناصره", "جرحى", "المقاتلِين"])
def test_bare_member_nouns_are_not_actors(surface):
    """regression: the default model tagged a bare "جنود" / "مقاتلا" ACTOR and linked counts to it
    (spec, "Member nouns": bare member nouns, definite or not, are not ACTOR)."""
    assert is_bare_member_noun(surface)


@pytest.mark.parametrize("surface", ["جنود الجيش التركي", "حوثيا", "مدنيين", "الجيش", "التنظيم", "فلسطينيين", "الأطفال", "قوات"])
def test_side_nouns_and_group_phrases_stay_actors(surface):
    assert not is_bare_member_noun(surface)


def test_only_one_word_actor_spans_are_dropped():
    text = "قتل 14 عنصرا من داعش و3 جنود من الجيش التركي وجنود"
    units, _ = unit_spans(text)
    words = [text[a:b] for a, b in units]
    at = {w: i for i, w in enumerate(words)}
    spans = [(at["عنصرا"], at["عنصرا"] + 1, "ACTOR"), (at["داعش"], at["داعش"] + 1, "ACTOR"),
             (at["جنود"], at["التركي"] + 1, "ACTOR"), (at["وجنود"], at["وجنود"] + 1, "ACTOR"),
             (at["وجنود"], at["وجنود"] + 1, "PERSON")]
    kept = drop_member_nouns(spans, units, text)
    assert kept == [spans[1], spans[2], spans[4]]
