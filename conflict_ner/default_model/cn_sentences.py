"""Sentence boundaries on raw text (offsets kept): full stops, ?, !, Arabic ?, line breaks."""

from __future__ import annotations

import re

# A sentence ends after terminal punctuation followed by space, or at a line break.
_END = re.compile(r"(?<=[.!?؟…])([\"'»”)\]]*)\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _END.finditer(text):
        end = m.start() + len(m.group(1) or "")  # closing quotes after the stop belong to the sentence
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
