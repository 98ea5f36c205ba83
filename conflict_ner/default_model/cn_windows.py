"""Units (words and punctuation runs) and sentence-aligned windows with context, raw offsets kept.

A window owns a run of whole sentences (or, for a sentence longer than the budget, a run of
units of it) and sees up to ``stride`` tokens of context on each side. Every unit is owned by
exactly one window, so predictions stitched from owned regions have no duplicates and no
entity is split at a window edge.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cn_sentences import sentence_spans
from .cn_words import is_word_char


def unit_spans(text: str) -> tuple[list[tuple[int, int]], list[bool]]:
    """Words (the spec's word rule) and maximal runs of other non-space characters."""
    spans: list[tuple[int, int]] = []
    kinds: list[bool] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        word = is_word_char(ch)
        j = i + 1
        while j < n and not text[j].isspace() and is_word_char(text[j]) == word:
            j += 1
        spans.append((i, j))
        kinds.append(word)
        i = j
    return spans, kinds


def sentence_of_units(text: str, units: list[tuple[int, int]]) -> list[int]:
    sents = sentence_spans(text)
    out, k = [], 0
    for s, _ in units:
        while k + 1 < len(sents) and s >= sents[k + 1][0]:
            k += 1
        out.append(k)
    return out


@dataclass(frozen=True)
class Window:
    start: int  # first unit with context
    end: int  # one past the last unit with context
    own_start: int
    own_end: int


def build_windows(token_counts: list[int], sentence_ids: list[int], budget: int, stride: int) -> list[Window]:
    """Pack sentences into owned chunks of at most ``budget - 2*stride`` tokens, then add context."""
    n = len(token_counts)
    if n == 0:
        return []
    stride = min(stride, budget // 4)  # context never takes more than half the window
    own_budget = max(budget - 2 * stride, 1)
    chunks: list[tuple[int, int]] = []
    a, used, i = 0, 0, 0
    while i < n:
        j = i
        while j < n and sentence_ids[j] == sentence_ids[i]:
            j += 1
        size = sum(token_counts[i:j])
        if used and used + size > own_budget:
            chunks.append((a, i))
            a, used = i, 0
        if size > own_budget:  # an over-long sentence: cut it between units
            for k in range(i, j):
                if used and used + token_counts[k] > own_budget:
                    chunks.append((a, k))
                    a, used = k, 0
                used += token_counts[k]
        else:
            used += size
        i = j
    chunks.append((a, n))
    windows = []
    for a, b in chunks:
        # Context on each side: at most `stride`, and never more than the budget leaves.
        room = max(budget - sum(token_counts[a:b]), 0)
        s, left = a, 0
        while s > 0 and left + token_counts[s - 1] <= min(stride, room // 2):
            s -= 1
            left += token_counts[s]
        e, right = b, 0
        while e < n and right + token_counts[e] <= min(stride, room - left):
            right += token_counts[e]
            e += 1
        windows.append(Window(s, e, a, b))
    return windows
