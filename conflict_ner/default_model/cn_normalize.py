"""Normalisation for model input that keeps an exact map back to the caller's raw offsets.

Every operation either replaces one character by one character (digits, odd spaces,
optional letter folding) or deletes a character that the spec counts as part of a word
(diacritics, tatweel). So word boundaries are the same in raw and normalised text, and a
span over normalised words maps to exactly the raw words it came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_DIGITS = {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
_SEPARATORS = {"\u066c": ",", "\u066b": ".", "\u060c": "\u060c"}
_TATWEEL = "\u0640"
_FOLD = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"}


def _is_deleted(ch: str) -> bool:
    # Arabic diacritics and other combining marks, and tatweel: word-internal, carry no letter.
    return ch == _TATWEEL or unicodedata.category(ch) == "Mn"


def _is_odd_space(ch: str) -> bool:
    # Non-breaking and typographic spaces, zero-width and bidi controls: all become a plain space,
    # which keeps them word separators exactly as the spec's word rule reads the raw text.
    return ch != " " and (unicodedata.category(ch) in ("Zs", "Cf") or ch in "\t\r\x0b\x0c")


@dataclass
class NormalizedText:
    raw: str
    text: str
    raw_index: list[int]  # raw position of each normalised character

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) to the raw span covering the same words exactly."""
        if start >= end:
            r = self.raw_index[start] if start < len(self.raw_index) else len(self.raw)
            return r, r
        rs = self.raw_index[start]
        re_ = self.raw_index[end - 1] + 1
        raw = self.raw
        # Deleted word characters (marks, tatweel) at the edges belong to the same raw word.
        while rs > 0 and _is_deleted(raw[rs - 1]):
            rs -= 1
        while re_ < len(raw) and _is_deleted(raw[re_]):
            re_ += 1
        return rs, re_


def normalize(raw: str, fold_letters: bool = False) -> NormalizedText:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(raw):
        if _is_deleted(ch):
            continue
        if ch in _DIGITS:
            ch = _DIGITS[ch]
        elif ch in _SEPARATORS:
            ch = _SEPARATORS[ch]
        elif ch == "\n":
            pass
        elif _is_odd_space(ch):
            ch = " "
        elif fold_letters:
            ch = _FOLD.get(ch, ch)
        out.append(ch)
        index.append(i)
    return NormalizedText(raw=raw, text="".join(out), raw_index=index)
