"""Sentence boundaries on raw text (offsets kept): full stops, ?, !, Arabic ?, line breaks."""

from __future__ import annotations

import re

# A sentence ends after terminal punctuation followed by space, or at a line break.
_END = re.compile(r"(?<=[.!?؟…])[\"'»”)\]]*\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _END.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
