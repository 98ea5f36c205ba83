"""Read the number out of an Arabic casualty COUNT span: "نحو70" -> CountInfo(70, approximate=True, "about").

Choices a reader should know:

* Vague words give the LOWER bound of what they mean, approximate=True: بضع/بضعة=3, عشرات=10, مئات=100,
  آلاف/ألوف=1000, عشرات الآلاف=10000, مئات الآلاف=100000, ملايين=1000000 ("بضعة آلاف" -> 3000).
* approximate is also True for about-type qualifiers (نحو, حوالي, قرابة, زهاء, ما يقرب من, تقريبا ...);
  more_than / at_least / less_than / at_most bound a count without making it approximate.
* A word ending in ان/ين (so also تان/تين) that is not a number word is a dual: جنديان, طفلين -> 2. Unvocalised,
  a sound plural (مدنيين) is spelt the same; the span being a COUNT is what makes the dual reading right.
  Words under five letters and a few فعلان broken plurals (شبان, جيران) are not duals.
* "ألفا"/"مليونا" after a number or with tanween (ألفًا) is singular (ثلاثين ألفا = 30000); bare and alone it
  is read as the dual construct ("ألفا شخص" = 2000).
* "," "." or "٬" before exactly three digits groups thousands (1.200 = 1200); otherwise "." "," or "٫" is a
  decimal point, kept only when a scale word makes the total whole (1.5 مليون). A non-whole total -> None.
* Qualifiers come from the span itself (glued "نحو70"), else the end of context_before, else the start of
  context_after, where one counted noun may come first ("30 شخصا على الأقل").
* Text with no number gives CountInfo(None, False, None); arguments that are not str raise TypeError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

# One translate table folds spelling variants, digits and marks, so every lookup below is a plain dict hit.
_TABLE: dict[int, str | None] = {ord(c): "ا" for c in "أإآٱ"}
_TABLE.update({ord("ة"): "ه", ord("ى"): "ي", ord("ی"): "ي", ord("ک"): "ك"})
_TABLE.update({z + i: str(i) for z in (0x0660, 0x06F0) for i in range(10)})  # Arabic-Indic, Persian digits
# Tatweel, harakat/tanween, Quranic marks, and invisible bidi/zero-width characters carry no number.
_DROP = (0x0640, 0x0670, 0x061C, 0xFEFF, *range(0x0610, 0x061B), *range(0x064B, 0x0660),
         *range(0x06D6, 0x06EE), *range(0x200B, 0x2010), *range(0x2066, 0x206A))
_TABLE.update(dict.fromkeys(_DROP))

# A digit run may hold separators only *between* digits, so the pattern is linear: no nested ambiguity.
_TOKEN = re.compile(r"[0-9]+(?:[.,\u066b\u066c][0-9]+)*|[^\W\d_]+")
_SEP = re.compile(r"([.,\u066b\u066c])")
_STOP = re.compile(r"[!?؟;؛\n]|\.(?![0-9])")  # a qualifier never reaches across a sentence end
_CLITICS = "وفبلك"


def _n(text: str) -> str:
    return text.translate(_TABLE)


@dataclass(frozen=True)
class CountInfo:
    value: int | None
    approximate: bool
    qualifier: str | None

    def to_json(self) -> dict:
        return {"value": self.value, "approximate": self.approximate, "qualifier": self.qualifier}


_UNIT, _NUM, _HUND, _FEW, _VAGUE, _HALF, _SCALE, _DUAL, _AMBIG, _PLURAL = range(10)
_WORDS: dict[str, tuple[int, int]] = {}


def _add(kind: int, value: int, *words: str) -> None:
    for w in words:
        _WORDS[_n(w)] = (kind, value)


_add(_NUM, 0, "صفر")
_add(_UNIT, 1, "واحد", "واحدة", "أحد", "إحدى")
_add(_UNIT, 2, "اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثني", "اثنتا", "اثنتي", "ثنتان", "ثنتين")
for _stem, _v in {"ثلاث": 3, "أربع": 4, "خمس": 5, "ست": 6, "سبع": 7, "ثمان": 8, "تسع": 9}.items():
    _add(_UNIT, _v, _stem, _stem + "ة")
    _add(_NUM, _v * 10, _stem + "ون", _stem + "ين")
    _add(_NUM, _v * 100, _stem + "مئة", _stem + "مائة")
_add(_UNIT, 8, "ثماني", "ثمانية")
_add(_NUM, 800, "ثمانيمئة", "ثمانيمائة")
_add(_NUM, 300, "ثلثمائة", "ثلثمئة")  # older spelling, still in print
_add(_NUM, 10, "عشر", "عشرة")  # also the teen part: "خمسة عشر" is 5 + 10
_add(_NUM, 20, "عشرون", "عشرين")
_add(_HUND, 100, "مئة", "مائة")  # may multiply a unit before it: "ثلاث مئة"
_add(_NUM, 200, "مئتان", "مئتين", "مئتا", "مئتي", "مائتان", "مائتين", "مائتا", "مائتي")
for _word, _s, _plurals in (("ألف", 1000, ("آلاف", "ألوف")), ("مليون", 10**6, ("ملايين",)),
                            ("مليار", 10**9, ("مليارات",))):
    _add(_SCALE, _s, _word)
    _add(_DUAL, _s, _word + "ان", _word + "ين", _word + "ي")
    _add(_AMBIG, _s, _word + "ا")
    _add(_PLURAL, _s, *_plurals)
_add(_FEW, 3, "بضع", "بضعة")
_add(_VAGUE, 10, "عشرات")
_add(_VAGUE, 100, "مئات")
_add(_HALF, 0, "نصف")

_NOT_DUAL = {_n(w) for w in ("الآن", "إنسان", "شبان", "سكان", "فتيان", "صبيان", "جيران", "فرسان", "شجعان",
                             "رهبان", "غلمان")}
_PREFIXES = {"", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ول", "فل"}

_BEFORE = {
    "more_than": ("أكثر من", "أزيد من", "ما يزيد عن", "ما يزيد على", "يزيد عن", "يزيد على", "ما يربو على",
                  "يربو على", "ما يفوق", "يفوق"),
    "at_least": ("ما لا يقل عن", "لا يقل عن", "لا تقل عن", "على الأقل"),
    "about": ("نحو", "حوالي", "قرابة", "زهاء", "ما يقرب من", "يقرب من", "ما يقارب", "يقارب", "ما يناهز",
              "يناهز", "تقريبا"),
    "less_than": ("أقل من", "ما يقل عن"),
    "at_most": ("ما لا يزيد عن", "ما لا يزيد على", "لا يزيد عن", "لا يزيد على", "لا تزيد عن", "ما لا يتجاوز",
                "لا يتجاوز", "لا تتجاوز", "حتى", "بحد أقصى"),
}
_AFTER = {
    "at_least": ("على الأقل", "أو أكثر", "فأكثر"),
    "about": ("تقريبا",),
    "at_most": ("على الأكثر", "كحد أقصى"),
    "more_than": ("نيف", "نيفا"),
}


def _phrases(table: dict[str, tuple[str, ...]]) -> list[tuple[tuple[str, ...], str]]:
    # Longest first, so "ما لا يزيد عن" (at_most) wins over its tail "يزيد عن" (more_than).
    out = [(tuple(_n(p).split()), q) for q, ps in table.items() for p in ps]
    return sorted(out, key=lambda item: -len(item[0]))


_BEFORE_P, _AFTER_P = _phrases(_BEFORE), _phrases(_AFTER)


def _same(word: str, want: str, first: bool) -> bool:
    # A phrase's first word may carry proclitics: "بنحو", "ولأكثر من", "بما يقرب من".
    extra = len(word) - len(want)
    return word == want or (first and 0 < extra <= 2 and word.endswith(want) and all(c in _CLITICS for c in word[:extra]))


def _match(words: list[str], phrases, at_end: bool) -> tuple[str | None, int]:
    for ph, qual in phrases:
        part = words[-len(ph):] if at_end else words[: len(ph)]
        if len(part) == len(ph) and all(_same(w, p, i == 0) for i, (w, p) in enumerate(zip(part, ph))):
            return qual, len(ph)
    return None, 0


def _lookup(tok: str) -> tuple[tuple[int, int] | None, bool]:
    """The number word under up to two proclitics and an article, and whether a و was peeled off."""
    for i in range(3):
        if i and (len(tok) <= i + 1 or tok[i - 1] not in _CLITICS):
            break
        rest = tok[i:]
        forms = [rest]
        if rest.startswith("ال"):
            forms.append(rest[2:])
        elif i and tok[i - 1] == "ل" and rest.startswith("ل"):  # لل = ل + ال with the alef dropped
            forms.append(rest[1:])
        for form in forms:
            if form in _WORDS:
                return _WORDS[form], "و" in tok[:i]
    return None, False


def _is_dual(tok: str) -> bool:
    if len(tok) < 5 or not tok.endswith(("ان", "ين")) or not all("\u0621" <= c <= "\u064a" for c in tok):
        return False
    return not any(tok.endswith(w) and tok[: len(tok) - len(w)] in _PREFIXES for w in _NOT_DUAL)


def _digits(tok: str) -> Fraction | None:
    if len(tok) > 40:  # int() refuses very long strings; no casualty count is that long
        return None
    parts = _SEP.split(tok)
    groups, seps = parts[::2], parts[1::2]
    if not seps or (len(set(seps)) == 1 and seps[0] != "\u066b" and len(groups[0]) <= 3
            and all(len(g) == 3 for g in groups[1:])):
        return Fraction(int("".join(groups)))
    if len(seps) == 1 and seps[0] != "\u066c":  # ٬ only ever groups thousands
        return Fraction(f"{groups[0]}.{groups[1]}")
    return None


def _value(tokens: list[str], tanween: bool) -> tuple[int | None, bool]:
    total = cur = Fraction(0)
    last_unit = last_scale = 0
    seen = approx = conj = dual_noun = False
    for tok in tokens:
        if tok[0].isdigit():
            num = _digits(tok)
            if num is None:
                return None, False
            cur, last_unit, seen, conj = cur + num, 0, True, False
            continue
        if tok in _CLITICS:  # a lone و, as in "4 آلاف و 100"
            conj = conj or tok == "و"
            continue
        entry, waw = _lookup(tok)
        if entry is None:
            if seen:  # the counted noun or whatever follows the number ends it
                break
            dual_noun = dual_noun or _is_dual(tok)
            continue
        kind, v = entry
        conj, seen = conj or waw, True
        if kind in (_UNIT, _FEW):
            cur, last_unit, approx = cur + v, v, approx or kind == _FEW
        elif kind in (_HUND, _VAGUE):
            approx = approx or kind == _VAGUE
            # "ثلاث مئة" and "بضع مئات" multiply the unit just before; after a و they add.
            cur += last_unit * (v - 1) if last_unit and not conj else v
            last_unit = 0
        elif kind == _NUM:
            cur, last_unit = cur + v, 0
        elif kind == _HALF:
            if not cur and last_scale and conj:  # "مليون ونصف"
                total += Fraction(last_scale, 2)
            else:  # "نصف مليون"
                cur += Fraction(1, 2)
        else:
            if kind == _PLURAL and not cur:  # bare آلاف / ملايين: "thousands"
                approx = True
            default = 2 if kind == _DUAL or (kind == _AMBIG and not tanween) else 1
            total += (cur or default) * v
            cur, last_unit, last_scale = Fraction(0), 0, v
        conj = False
    if not seen:
        return (2, False) if dual_noun else (None, False)
    value = total + cur
    return (int(value), approx) if value.denominator == 1 else (None, False)


def parse_count(span: str, context_before: str = "", context_after: str = "") -> CountInfo:
    """Value, approximateness and qualifier of a COUNT span, given the raw text either side of it."""
    for name, arg in (("span", span), ("context_before", context_before), ("context_after", context_after)):
        if not isinstance(arg, str):
            raise TypeError(f"parse_count() argument {name!r} must be str, not {type(arg).__name__}")
    tokens = _TOKEN.findall(_n(span))
    while tokens and tokens[0] in _CLITICS:  # the ل of "لـ40"
        tokens.pop(0)
    qualifier, k = _match(tokens, _BEFORE_P, at_end=False)
    tokens = tokens[k:]
    tail, k = _match(tokens, _AFTER_P, at_end=True)
    tokens = tokens[: len(tokens) - k]
    qualifier = qualifier or tail
    value, approx = _value(tokens, "\u064b" in span)  # tanween fath, which _n has dropped from tokens
    if value is None:
        return CountInfo(None, False, None)
    if qualifier is None:
        before = _TOKEN.findall(_n(_STOP.split(context_before[-80:])[-1]))
        while before and before[-1] in _CLITICS:
            before.pop()
        qualifier = _match(before, _BEFORE_P, at_end=True)[0]
    if qualifier is None:
        after = _TOKEN.findall(_n(_STOP.split(context_after[:80], maxsplit=1)[0]))
        qualifier = _match(after, _AFTER_P, at_end=False)[0]
        # One counted noun may sit between number and qualifier, but not a new clause ("وأصيب") or number.
        if qualifier is None and len(after) > 1 and after[0][0] not in "وف0123456789" and not _lookup(after[0])[0]:
            qualifier = _match(after[1:], _AFTER_P, at_end=False)[0]
    return CountInfo(value, approx or qualifier == "about", qualifier)


def is_number_word(word: str) -> bool:
    """A digit run or a number word, under proclitics or the article ("وثلاثة", "و200", "الآلاف");
    not a dual, which is a counted noun."""
    tokens = _TOKEN.findall(_n(word))
    while len(tokens) > 1 and tokens[0] in _CLITICS:
        tokens.pop(0)
    return len(tokens) == 1 and (tokens[0][0].isdigit() or _lookup(tokens[0])[0] is not None)
