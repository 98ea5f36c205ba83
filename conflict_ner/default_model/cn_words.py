"""The spec's word rule: a word is a maximal run of letters, digits, combining marks and tatweel."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    # L* covers letters and tatweel (Lm); N* digits; M* diacritics and other combining marks.
    return cat[0] in "LNM"


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of ``text`` in order."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text):
        if is_word_char(ch):
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def starts_word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and is_word_char(text[i]) and (i == 0 or not is_word_char(text[i - 1]))


def ends_word(text: str, j: int) -> bool:
    return 0 < j <= len(text) and is_word_char(text[j - 1]) and (j == len(text) or not is_word_char(text[j]))


def find_word_bounded(text: str, needle: str, start: int = 0) -> int:
    """First index >= start where ``needle`` occurs starting and ending on word edges, or -1."""
    if not needle:
        return -1
    i = text.find(needle, start)
    while i != -1:
        if starts_word(text, i) and ends_word(text, i + len(needle)):
            return i
        i = text.find(needle, i + 1)
    return -1
