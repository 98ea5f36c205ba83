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
