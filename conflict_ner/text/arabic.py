"""Arabic word forms the rules compare: marks removed, letters folded, the spec's proclitics."""

from __future__ import annotations

import re

MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")  # tatweel and diacritics
# The spec's proclitics (scoring rules: "a leading proclitic (و، ف، ب، ل، ك، وب، ول، فب، فل)").
PROCLITIC = re.compile(r"^(?:وب|ول|فب|فل|و|ف|ب|ل|ك)(?=..)")  # two letters must be left
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"})
_FOLD_TA = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def fold(word: str, ta_marbuta: bool = False) -> str:
    """``word`` without tatweel and diacritics, with bare alef and ي (and ة as ه if ``ta_marbuta``)."""
    return MARKS.sub("", word).strip().translate(_FOLD_TA if ta_marbuta else _FOLD)


def strip_proclitic(word: str) -> str:
    """``word`` without one leading proclitic, where at least two letters are left."""
    return PROCLITIC.sub("", word)


_CLITIC_ARTICLE = re.compile(r"^(?:وب|ول|فب|فل|و|ف|ب|ل|ك)?(?:ال)?")


def bare(word: str) -> str:
    """``word`` folded (ة as ه) without one proclitic and the article: "والمفقودين" -> "مفقودين"."""
    return _CLITIC_ARTICLE.sub("", fold(word, ta_marbuta=True), count=1)
