"""Outcome cue words next to a count ("نزحوا", "في عداد المفقودين") over the outcome head's answer.

The rule acts only where the head leaves room: a cue wins only when the head gives the cued outcome
some probability, and several cues leave the head's answer.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .cn_arabic import bare, fold
from .cn_words import word_spans

# Words that say what happened to the counted people (folded: bare alef, ى -> ي, ة -> ه). Whole
# words only: a stem would also match اسرة (family) or اسرائيل under اسر.
_CUES: dict[str, str] = {}
for _outcome, _words in {
    "killed": "قتل مقتل قتلي قتيل قتيلا قتلوا مصرع مصرعهم مصرعه استشهد استشهاد استشهدوا شهيد شهيدا شهداء",
    "wounded": "اصابه اصيب اصيبوا اصابات جرح جرحي جريح جريحا مصاب مصابا مصابين مصابون",
    "missing": "مفقود مفقودا مفقودين مفقودون فقدان عداد",
    "captured": "اسر اسرت اسير اسيرا اسري اعتقال اعتقل اعتقلت معتقل معتقلا معتقلين خطف اختطاف اختطف "
                "مختطف مختطفا مختطفين رهينه رهائن احتجاز محتجز محتجزا محتجزين",
    "displaced": "نزح نزحوا نزوح نازح نازحا نازحين نازحون فر فروا فرار هجر تهجير مهجر مهجرين لاجئ لاجئا "
                 "لاجئين لاجئون اجلاء",
}.items():
    for _w in _words.split():
        _CUES[_w] = _outcome

_STOPS = re.compile(r"[.،,؛;:!?؟\n«»\"()]")
CUE_WORDS_AFTER = 3  # the counted noun and the verb or noun that follows it
CUE_WORDS_BEFORE = 2  # "مقتل 14", "نزوح نحو 200"


CUE_CONTEXT_CHARS = 80  # enough for the words either side; keeps the scan local on long texts


def _cue(word: str) -> str | None:
    w = fold(word, ta_marbuta=True)
    return _CUES.get(w) or _CUES.get(bare(word))  # "فرار" is a cue as written, "والمفقودين" without و+ال


def outcome_cues(text: str, start: int, end: int, stop_at: list[tuple[int, int]]) -> set[str]:
    """Outcomes named by cue words next to a count at text[start:end]: up to CUE_WORDS_BEFORE words
    before it and CUE_WORDS_AFTER after, never across punctuation or another entity in ``stop_at``."""
    found: set[str] = set()
    lo = max(0, start - CUE_CONTEXT_CHARS)
    words = [(lo + s, lo + e) for s, e in word_spans(text[lo : end + CUE_CONTEXT_CHARS])]
    after = [w for w in words if w[0] >= end][:CUE_WORDS_AFTER]
    before = [w for w in words if w[1] <= start][-CUE_WORDS_BEFORE:][::-1]
    for side, edge in ((after, end), (before, start)):
        for s, e in side:
            gap = text[min(edge, e) : max(edge, s)]
            if _STOPS.search(gap) or any(a < e and s < b for a, b in stop_at if (a, b) != (start, end)):
                break
            o = _cue(text[s:e])
            if o:
                found.add(o)
            edge = e if side is after else s
    return found


def apply_outcome_cues(text: str, entities: list[dict], outcome_probs: dict[int, list[float]],
                       labels: list[str], min_prob: float) -> None:
    """Where the words next to a count name one outcome, and the head gives it at least ``min_prob``,
    that outcome wins ("200 مدني نزحوا" is displaced, whatever else the head leans to)."""
    counts = sorted((e["start"], e["end"]) for e in entities if e["label"] == "COUNT")
    starts = [a for a, _ in counts]
    for k, ent in enumerate(entities):
        probs = outcome_probs.get(k)
        if ent["label"] != "COUNT" or not probs:
            continue
        near = counts[bisect_left(starts, ent["start"] - 2 * CUE_CONTEXT_CHARS) : bisect_right(starts, ent["end"] + CUE_CONTEXT_CHARS)]
        cued = outcome_cues(text, ent["start"], ent["end"], near)
        if len(cued) == 1:
            (o,) = cued
            j = labels.index(o) if o in labels else None
            if j is not None and o != ent["outcome"] and probs[j] >= min_prob:
                ent["outcome"], ent["outcome_score"] = o, round(probs[j], 4)
