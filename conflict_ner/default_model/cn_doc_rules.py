"""Document-level rules on decoded entities, after the heads: an outcome word next to a count, and
counts that repeat (a headline's count restated in the body) sharing their sides.

Both act only where the model leaves room: a cue overrides the outcome head only when the head gives
the cued outcome some probability, and a count takes the sides of its repeat only when it has none.
"""

from __future__ import annotations

import re

from .cn_words import word_spans

_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_CLITIC = re.compile(r"^(?:وب|ول|فب|فل|و|ف|ب|ل|ك)?(?:ال)?")

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


def _key(word: str) -> str:
    w = _MARKS.sub("", word).translate(_FOLD)
    return w if w in _CUES else _CLITIC.sub("", w, count=1)


def outcome_cues(text: str, start: int, end: int, stop_at: list[tuple[int, int]]) -> set[str]:
    """Outcomes named by cue words next to a count at text[start:end]: up to CUE_WORDS_BEFORE words
    before it and CUE_WORDS_AFTER after, never across punctuation or another entity in ``stop_at``."""
    found: set[str] = set()
    words = word_spans(text)
    after = [w for w in words if w[0] >= end][:CUE_WORDS_AFTER]
    before = [w for w in words if w[1] <= start][-CUE_WORDS_BEFORE:][::-1]
    for side, edge in ((after, end), (before, start)):
        for s, e in side:
            gap = text[min(edge, e) : max(edge, s)]
            if _STOPS.search(gap) or any(a < e and s < b for a, b in stop_at if (a, b) != (start, end)):
                break
            o = _CUES.get(_key(text[s:e]))
            if o:
                found.add(o)
            edge = e if side is after else s
    return found


def apply_outcome_cues(text: str, entities: list[dict], outcome_probs: dict[int, list[float]],
                       labels: list[str], min_prob: float) -> None:
    """Where the words next to a count name one outcome, and the head gives it at least ``min_prob``,
    that outcome wins ("200 مدني نزحوا" is displaced, whatever else the head leans to)."""
    counts = [(e["start"], e["end"]) for e in entities if e["label"] == "COUNT"]
    for k, ent in enumerate(entities):
        probs = outcome_probs.get(k)
        if ent["label"] != "COUNT" or not probs:
            continue
        cued = outcome_cues(text, ent["start"], ent["end"], counts)
        if len(cued) == 1:
            (o,) = cued
            j = labels.index(o) if o in labels else None
            if j is not None and o != ent["outcome"] and probs[j] >= min_prob:
                ent["outcome"], ent["outcome_score"] = o, round(probs[j], 4)


def _next_word(text: str, end: int) -> str:
    m = re.match(r"\s*(\w+)", text[end : end + 40])
    return _key(m.group(1)) if m else ""


def share_headline_sides(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A headline count with no side takes the sides of its restatement in the body: the same exact
    value, outcome and counted noun ("وثلاثة جنود" in the headline, "وثلاثة جنود من قوات سوريا
    الديمقراطية" below it). The spec links a side that the text names only later, and explicitly,
    to that later mention. Approximate counts and ones are left alone (too common to be the same
    people), and so is any count below the headline, whose repeats are often other people."""
    headline_end = text.find("\n")
    if headline_end < 0 or not text[:headline_end].strip():
        return links
    sides: dict[int, list[tuple[int, float]]] = {}
    for c, a, p in links:
        sides.setdefault(c, []).append((a, p))

    def ident(k: int):
        e = entities[k]
        v = e.get("value")
        if e["label"] != "COUNT" or v is None or v < 2 or e.get("approximate") or not e.get("outcome"):
            return None
        return v, e["outcome"], _next_word(text, e["end"])

    out = list(links)
    for k, e in enumerate(entities):
        key = ident(k)
        if key is None or k in sides or e["end"] > headline_end:
            continue
        repeats = [j for j in sorted(sides) if entities[j]["start"] > headline_end and ident(j) == key]
        if repeats:
            out.extend((k, a, p) for a, p in sides[repeats[0]])
    return sorted(out)
