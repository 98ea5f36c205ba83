"""Tag and link decoding on unit indices."""

from __future__ import annotations

import pytest

from conflict_ner.decoding import (
    bio_spans,
    count_rules,
    decode_tags,
    drop_member_nouns,
    is_bare_member_noun,
    merge_count_pieces,
    select_links,
    side_key,
)
from conflict_ner.schema import BIO_TAGS
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


def test_a_second_side_needs_the_extra_threshold():
    surfaces = ["12", "قوات النظام", "المدنيين", "داعش"]
    cands = {0: [(1, 0.35, 3), (2, 0.6, -1), (3, 0.9, 8)]}
    assert select_links(cands, surfaces, 0.3) == [(0, 1, 0.35), (0, 2, 0.6), (0, 3, 0.9)]
    assert select_links(cands, surfaces, 0.3, 0.7) == [(0, 3, 0.9)]  # the best side alone
    assert select_links({0: [(1, 0.35, 3), (3, 0.2, 1)]}, surfaces, 0.3, 0.7) == [(0, 1, 0.35)]
    # the side's best mention decides whether it is kept; its nearest mention above threshold is linked
    two = {0: [(1, 0.4, -6), (2, 0.8, 2), (4, 0.75, -1)]}
    assert select_links(two, [*surfaces, "وقوات النظام"], 0.3, 0.7) == [(0, 2, 0.8), (0, 4, 0.75)]
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


def _count_spans(text: str, pieces: list[str]) -> tuple[list[tuple[int, int, str]], list, list]:
    units, is_word = unit_spans(text)
    words = [text[a:b] for a, b in units]
    spans = []
    for piece in pieces:
        first, *rest = piece.split()
        i = words.index(first)
        spans.append((i, i + 1 + len(rest), "COUNT"))
    return spans, units, is_word


@pytest.mark.parametrize("text, predicted, kept", [
    ("قتل 9 أشخاص على الأقل", ["9 أشخاص"], ["9"]),  # trimmed to the number
    ("مقتل قيادي وأحد عشر من مرافقيه", ["عشر"], ["وأحد عشر"]),  # grown over the number word before
    ("يعيش نحو ثلاثة ملايين شخص", ["ملايين"], ["ثلاثة ملايين"]),
    ("بنحو ٦ آلاف و٥٠٠ مقاتل", ["٦ آلاف"], ["٦ آلاف و٥٠٠"]),
    ("قتل أكثر من 30 شخصا", ["أكثر"], []),  # a qualifier alone is no number
    ("قتل 3 وأصيب جنديان", ["جنديان"], ["جنديان"]),  # a dual is a count
    ("وتدمير 13 منزلا وإحراق ثماني سيارات", ["13", "ثماني"], []),  # things
    ("نزوح 450 أسرة وآلاف العائلات", ["450", "وآلاف"], []),  # families
    ("تراجع بنسبة 6% وقال إن 80 في المئة", ["6", "80"], []),  # percentages
    ("جميعهم دون سن ال 14 وطفل عمره 4 سنوات", ["14", "4"], []),  # ages
    ("مكافأة قدرها خمسة ملايين روبية", ["خمسة ملايين"], []),  # money
    ("قتل 14 عنصرا و3 مدنيين", ["14", "و3"], ["14", "و3"]),
])
def test_count_spans_follow_the_spec(text, predicted, kept):
    """regression: the default model tagged counts of houses, families, percentages and ages, split
    numbers ("وأحد" "عشر") and took the counted noun into the span ("9 أشخاص")."""
    spans, units, is_word = _count_spans(text, predicted)
    got = [text[units[a][0] : units[b - 1][1]] for a, b, _ in count_rules(spans, units, is_word, text)]
    assert got == kept


def test_count_rules_leave_other_labels_and_do_not_grow_into_them():
    text = "قتل ثلاثة عشر جنديا"
    units, is_word = unit_spans(text)
    spans = [(1, 2, "ACTOR"), (2, 3, "COUNT")]  # a made-up ACTOR on "ثلاثة" blocks the growth
    assert count_rules(spans, units, is_word, text) == spans
    both = [(1, 2, "COUNT"), (2, 3, "COUNT")]  # two COUNTs side by side: neither grows into the other
    assert count_rules(both, units, is_word, text) == both


ID2TAG = dict(enumerate(BIO_TAGS))


def _dist(rows: list[dict[str, float]]) -> list[list[float]]:
    """Distributions from {tag: prob} rows; the rest of each row's mass spread over the other tags."""
    out = []
    for row in rows:
        rest = (1 - sum(row.values())) / (len(BIO_TAGS) - len(row))
        out.append([row.get(t, rest) for t in BIO_TAGS])
    return out


def test_viterbi_keeps_a_span_whole_where_argmax_splits_it():
    """regression: "قبل" (B-DATE) "أيام" (B-DATE 0.5, I-DATE 0.45) came out as two DATEs with argmax."""
    dist = _dist([{"B-DATE": 0.9}, {"B-DATE": 0.5, "I-DATE": 0.45}])
    assert decode_tags(dist, ID2TAG, "argmax") == ["B-DATE", "B-DATE"]
    assert decode_tags(dist, ID2TAG, "viterbi") == ["B-DATE", "B-DATE"]  # B-B is valid: the model's call
    dist = _dist([{"B-DATE": 0.9}, {"O": 0.5, "I-DATE": 0.45}, {"I-DATE": 0.9}])
    assert decode_tags(dist, ID2TAG, "argmax") == ["B-DATE", "O", "I-DATE"]
    assert decode_tags(dist, ID2TAG, "viterbi") == ["B-DATE", "I-DATE", "I-DATE"]


def test_viterbi_never_starts_a_span_on_an_inside_tag():
    dist = _dist([{"O": 0.6, "I-ACTOR": 0.3}, {"I-ACTOR": 0.6, "B-LOCATION": 0.3}])
    tags = decode_tags(dist, ID2TAG, "viterbi")
    assert not tags[0].startswith("I-")
    assert all(not t.startswith("I-") or p[2:] == t[2:] for p, t in zip(tags, tags[1:]))
    assert decode_tags([], ID2TAG, "viterbi") == []
    with pytest.raises(ValueError, match="unknown decoder"):
        decode_tags(dist, ID2TAG, "beam")
