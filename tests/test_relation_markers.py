"""The typed-marker insertion of scripts/compare_relation_heads.py puts the markers exactly around
the COUNT and ACTOR units and reports the positions of the opening markers."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "compare_relation_heads.py"
_spec = importlib.util.spec_from_file_location("compare_relation_heads", _PATH)
crh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crh)

M = crh.MARKERS


def _between(seq, pos, open_marker, close_marker):
    """Items after the opening marker at ``pos`` up to its closing marker."""
    assert seq[pos : pos + len(open_marker)] == open_marker
    start = pos + len(open_marker)
    end = seq.index(close_marker[0], start)
    return seq[start:end]


def test_markers_wrap_the_entity_words():
    words = "قتل 14 عنصرا من قوات النظام و 3 من داعش".split()
    pieces = [[w] for w in words]
    count, actors = (1, 2), [(4, 6), (9, 10)]  # 14 ; قوات النظام , داعش
    seq, cpos, apos = crh.insert_markers(pieces, count, actors, M)
    assert seq == (["قتل"] + M["count_open"] + ["14"] + M["count_close"] + ["عنصرا", "من"]
                   + M["actor_open"] + ["قوات", "النظام"] + M["actor_close"] + ["و", "3", "من"]
                   + M["actor_open"] + ["داعش"] + M["actor_close"])
    assert seq[cpos] == "@" and cpos == 1
    assert [seq[p] for p in apos] == ["#", "#"]
    assert " ".join(_between(seq, cpos, M["count_open"], M["count_close"])) == "14"
    assert [" ".join(_between(seq, p, M["actor_open"], M["actor_close"])) for p in apos] == ["قوات النظام", "داعش"]
    # nothing but the markers was added, and the words keep their order
    assert [x for x in seq if x not in {"@", "*", "#", "^", "عدد", "طرف"}] == words


def test_actor_before_count_and_adjacent_spans():
    words = "أعلنت الفصائل مقتل 45 حوثيا".split()
    pieces = [[w] for w in words]
    seq, cpos, apos = crh.insert_markers(pieces, (3, 4), [(1, 2), (4, 5)], M)
    assert apos[0] < cpos < apos[1]
    # the COUNT closes before the ACTOR right after it opens, and the last ACTOR is closed
    assert seq[cpos + len(M["count_open"]) :] == ["45"] + M["count_close"] + M["actor_open"] + ["حوثيا"] + M["actor_close"]
    assert _between(seq, apos[0], M["actor_open"], M["actor_close"]) == ["الفصائل"]


def test_positions_on_multi_token_units():
    marks = {"count_open": [901, 902], "count_close": [903], "actor_open": [801, 802], "actor_close": [803]}
    pieces = [[1], [2, 3, 4], [5], [6, 7], [8]]  # unit 1 and unit 3 have several tokens
    seq, cpos, apos = crh.insert_markers(pieces, (3, 4), [(1, 2)], marks)
    assert seq == [1, 801, 802, 2, 3, 4, 803, 5, 901, 902, 6, 7, 903, 8]
    assert seq[cpos] == 901 and seq[apos[0]] == 801
    assert seq[cpos + 2 : cpos + 4] == [6, 7] and seq[apos[0] + 2 : apos[0] + 5] == [2, 3, 4]


def test_overlapping_spans_are_refused():
    with pytest.raises(ValueError):
        crh.insert_markers([["a"], ["b"], ["c"]], (1, 2), [(0, 2)], M)
