"""Outcome cue words over the outcome head (conflict_ner/outcome_cues.py)."""

from __future__ import annotations

from entity_dicts import count

from conflict_ner.outcome_cues import apply_outcome_cues, outcome_cues

OUTCOMES = ["killed", "wounded", "missing", "captured", "displaced", "other"]


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
