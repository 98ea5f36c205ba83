"""Tags to spans and pair scores to links, on unit indices (no model, no tokenizer here)."""

from __future__ import annotations

import re

from .cn_schema import tag_label

_PROCLITIC = re.compile(r"^(?:وب|ول|فب|فل|و|ف|ب|ل|ك)(?=..)")
_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")


def bio_spans(tags: list[str], is_word: list[bool]) -> list[tuple[int, int, str]]:
    """Spans as seqeval reads BIO (an I- of a new type, or after O, opens a span), trimmed so
    that they start and end on a word unit, never on punctuation."""
    spans: list[tuple[int, int, str]] = []
    cur: list | None = None
    for i, tag in enumerate(tags + ["O"]):
        label = tag_label(tag)
        if cur is not None and (label != cur[2] or tag.startswith("B-")):
            spans.append((cur[0], i, cur[2]))
            cur = None
        if label is not None and cur is None:
            cur = [i, None, label]
    out = []
    for a, b, label in spans:
        while a < b and not is_word[a]:
            a += 1
        while b > a and not is_word[b - 1]:
            b -= 1
        if a < b:
            out.append((a, b, label))
    return out


_GROUP_SEPARATORS = {",", "٬", "."}


def merge_count_pieces(spans: list[tuple[int, int, str]], units: list[tuple[int, int]], text: str) -> list[tuple[int, int, str]]:
    """Join COUNT spans that are pieces of one number: next to each other ("3" "آلاف" "و200"), or
    split by a digit-group separator with no space ("1" "," "100"). The spec takes the longest
    span, and two counts never stand side by side without a word or comma between them."""
    out: list[tuple[int, int, str]] = []
    for a, b, label in spans:
        if out and label == "COUNT" and out[-1][2] == "COUNT":
            pa, pb, _ = out[-1]
            gap = a - pb
            glued = gap == 1 and text[units[pb][0] : units[pb][1]] in _GROUP_SEPARATORS \
                and units[pb - 1][1] == units[pb][0] and units[pb][1] == units[a][0]
            if gap == 0 or glued:
                out[-1] = (pa, b, "COUNT")
                continue
        out.append((a, b, label))
    return out


def side_key(surface: str) -> str:
    """The spec's side identity: surface without a leading proclitic, tatweel and diacritics."""
    s = _MARKS.sub("", surface).strip()
    return _PROCLITIC.sub("", s)


def select_links(
    candidates: dict[int, list[tuple[int, float, int]]], surfaces: list[str], threshold: float
) -> list[tuple[int, int, float]]:
    """candidates: count -> [(actor, prob, distance)]. Keep pairs at or above threshold, one per side
    (the nearest mention of a side wins, as the spec links the nearest)."""
    links = []
    for count, cands in candidates.items():
        best: dict[str, tuple[int, float, int]] = {}
        for actor, prob, dist in cands:
            if prob < threshold:
                continue
            key = side_key(surfaces[actor])
            if key not in best or abs(dist) < abs(best[key][2]):
                best[key] = (actor, prob, dist)
        links.extend((count, a, p) for a, p, _ in sorted(best.values()))
    return sorted(links)


# The spec's conventions "Member nouns" and "Partitive من": a bare member noun, definite or not
# (جنود، المسلحين، عنصرا، أشخاص), a word the spec keeps outside ACTOR spans (قتلى، جرحى), and a
# pronoun-possessed force noun (قواتها، جنوده، عناصرهم) are never ACTOR mentions. Only whole
# one-word spans are dropped, so "جنود الجيش التركي" and the side nouns "حوثيا", "مدنيين" stay.
# Forms are written with bare alef and ي, as _fold() reads a span.
_MEMBER_STEMS = {
    "جندي": "جنديا جنديان جنديين جنود",
    "عنصر": "عنصرا عنصران عنصرين عناصر",
    "مقاتل": "مقاتلا مقاتلان مقاتلين مقاتلون",
    "مسلح": "مسلحا مسلحان مسلحين مسلحون",
    "شخص": "شخصا شخصان شخصين اشخاص",
    "فرد": "فردا فردان فردين افراد",
    "عسكري": "عسكريا عسكريان عسكريين عسكريون",
    "ضابط": "ضابطا ضابطان ضابطين ضباط",
    "رجل": "رجلا رجال",
    "قيادي": "قياديا قياديان قياديين قياديون",
    "قتيل": "قتلي",
    "جريح": "جرحي",
    "مصاب": "مصابا مصابين مصابون",
}
MEMBER_NOUNS = frozenset(
    f"{article}{form}"
    for stem, forms in _MEMBER_STEMS.items()
    for form in [stem, *forms.split()]
    for article in ("", "ال")
)
_POSSESSED = re.compile(r"^(?:قوات|جنود|عناصر|مقاتلي|افراد|رجال|مسلحي|موظفي|متطوعي)(?:ه|ها|هم|هما|هن|نا)$")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"})


def _fold(surface: str) -> str:
    return _MARKS.sub("", surface).strip().translate(_FOLD)


def is_bare_member_noun(surface: str) -> bool:
    """True for a one-word surface that the spec never tags ACTOR (see MEMBER_NOUNS)."""
    word = _fold(surface)
    if not word or " " in word:
        return False
    forms = {word, _PROCLITIC.sub("", word)}
    return any(f in MEMBER_NOUNS or _POSSESSED.match(f) for f in forms)


def drop_member_nouns(spans: list[tuple[int, int, str]], units: list[tuple[int, int]], text: str) -> list[tuple[int, int, str]]:
    """The spans without ACTOR spans that are a bare or pronoun-possessed member noun."""
    return [
        (a, b, label) for a, b, label in spans
        if label != "ACTOR" or not is_bare_member_noun(text[units[a][0] : units[b - 1][1]])
    ]
