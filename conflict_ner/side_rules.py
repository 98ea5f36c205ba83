"""The spec's side rules over the pair head's links, for a whole document: a headline count takes its
restatement's sides; a total with its breakdown stays unlinked; pronoun-possessed partitives, "N
آخرين" and the parts of a breakdown take their group's side; a count of "A وB" counts both.

Each rule acts only where the head leaves room (a count with no side) or where the spec rules a
link out (a group named inside a total's breakdown).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .text.arabic import bare, fold
from .text.words import word_spans


def _next_word(text: str, end: int) -> str:
    m = re.match(r"\s*(\w+)", text[end : end + 40])
    return bare(m.group(1)) if m else ""


HEADLINE_MAX_WORDS = 20


def is_headline(line: str) -> bool:
    """A first line that reads as a headline: short, and not ended like a sentence (a passage that
    starts with its body has no headline)."""
    line = line.strip()
    return bool(line) and len(word_spans(line)) <= HEADLINE_MAX_WORDS and not re.search(r"[.!?؟:]$", line)


def share_headline_sides(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A headline count with no side takes the sides of its restatement in the body: the same exact
    value, outcome and counted noun ("وثلاثة جنود" in the headline, "وثلاثة جنود من قوات سوريا
    الديمقراطية" below it). The spec links a side that the text names only later, and explicitly,
    to that later mention. Approximate counts and ones are left alone (too common to be the same
    people), and so is any count below the headline, whose repeats are often other people."""
    headline_end = text.find("\n")
    if not is_headline(text[: max(headline_end, 0)]):
        return links
    sides = _linked(links)

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



# --- The spec's side rules for counts the pair head leaves unlinked or links past a breakdown. ----

_SENTENCE_END = re.compile(r"[.!?؟](?!\d)|\n")
_BREAKDOWN = frozenset("بينهم بينهن منهم منهن".split())  # "بينهم 3 أطفال": the parts of a total


def _is_breakdown(folded: str) -> bool:
    """"بينهم", "ومنهم" (a folded word, with or without و/ف)."""
    return folded in _BREAKDOWN or (folded[:1] in "وف" and folded[1:] in _BREAKDOWN)
_OTHERS = frozenset("اخرين اخرون اخر اخري اخريات".split())  # "وإصابة 14 آخرين"
# "من جنوده/متطوعيها": a member noun with a third-person pronoun (first-person "جنودنا" is the quoted
# speaker, often not the nearest group; left to the head). Read on the folded word, ة kept.
_PARTITIVE_PRONOUNS = frozenset("منها منهم منه".split())
_POSSESSED = re.compile(
    r"^(?:جنود|عناصر|مقاتلي|افراد|موظفي|متطوعي|اعضاء|اعضائ|طواقم|ضباط|ابطال|كوادر|منتسبي|رجال|مسلحي|"
    r"قوات|عمال|مسعفي|عسكريي|جرحا|قتلا)(?:ه|ها|هم|هما|هن)$")


MAX_SENTENCE_CHARS = 2000  # how far back a sentence start is looked for (bounds the work on long texts)


def _same_sentence(text: str, i: int, j: int) -> bool:
    return not _SENTENCE_END.search(text[min(i, j) : max(i, j)])


def _sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding ``pos`` starts (at most MAX_SENTENCE_CHARS back)."""
    lo = max(0, pos - MAX_SENTENCE_CHARS)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, pos)]
    return ends[-1] if ends else lo


def _words_between(text: str, i: int, j: int) -> list[str]:
    """The words of text[i:j], folded (no clitic stripped: "بينهم" is no ب + "ينهم")."""
    return [fold(text[i + s : i + e], ta_marbuta=True) for s, e in word_spans(text[i:j])]


def _next_words(text: str, end: int, n: int) -> list[tuple[str, int, int]]:
    """Up to n words after ``end`` as (key, start, end), stopping at the end of the sentence."""
    stop = _SENTENCE_END.search(text, end)
    limit = min(end + 60, stop.start() if stop else len(text))
    return [(bare(text[end + s : end + e]), end + s, end + e) for s, e in word_spans(text[end:limit])][:n]


class _Spans:
    """Entities sorted by start, for the lookups the rules make per count (bisect: linear on long texts)."""

    def __init__(self, entities: list[dict]):
        self.entities = entities
        order = sorted(range(len(entities)), key=lambda k: entities[k]["start"])
        self.starts = [entities[k]["start"] for k in order]
        self.order = order
        actors = sorted((e["end"], k) for k, e in enumerate(entities) if e["label"] == "ACTOR")
        self.actor_ends = [x for x, _ in actors]
        self.actor_ids = [k for _, k in actors]

    def overlapping(self, s: int, e: int) -> list[int]:
        """Entities that overlap text[s:e] (spans never overlap each other, so a neighbour suffices)."""
        i = bisect_right(self.starts, e - 1)
        return [k for k in self.order[max(0, i - 2) : i] if self.entities[k]["end"] > s and self.entities[k]["start"] < e]

    def between(self, s: int, e: int) -> list[int]:
        """Entities that start in [s, e)."""
        return self.order[bisect_left(self.starts, s) : bisect_left(self.starts, e)]

    def actor_before(self, start: int) -> int | None:
        """The ACTOR mention nearest before ``start`` (the spec's earlier-mention rule)."""
        i = bisect_right(self.actor_ends, start)
        return self.actor_ids[i - 1] if i else None


def drop_breakdown_links(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A total given with its breakdown stays unlinked unless the text names its side: a link from a
    count to a group named after "بينهم"/"منهم" that follows it ("100 شخص، بينهم نساء") is dropped."""
    out = []
    for c, a, p in links:
        ce, as_ = entities[c]["end"], entities[a]["start"]
        if as_ > ce and any(_is_breakdown(w) for w in _words_between(text, ce, as_)):
            continue
        out.append((c, a, p))
    return out


def _linked(links) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = {}
    for c, a, p in links:
        out.setdefault(c, []).append((a, p))
    return out


def link_possessed(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """An unlinked "N من جنوده/متطوعيها" (a member noun with a pronoun) or "N مقاتلا منها" links to the
    group the pronoun refers to, the nearest ACTOR before it (the spec's "Partitive من": their counts
    link to the group the pronoun refers to)."""
    linked = _linked(links)
    index = _Spans(entities)
    out = list(links)
    for k, e in enumerate(entities):
        if e["label"] != "COUNT" or k in linked:
            continue
        after = _next_words(text, e["end"], 3)
        keys = [w for w, _, _ in after]
        m = next((i for i, w in enumerate(keys[:2]) if w == "من"), None)
        possessed = m is not None and m + 1 < len(after) and _POSSESSED.match(fold(text[after[m + 1][1] : after[m + 1][2]])) \
            and not index.overlapping(after[m + 1][1], after[m + 1][2])
        pronoun = next((i for i, w in enumerate(keys[:2]) if w in _PARTITIVE_PRONOUNS), None)
        if pronoun == 1 and not index.overlapping(after[0][1], after[0][2]):  # "30 مقاتلا منها", not "5 من ... منهم"
            possessed = True
        if possessed:
            a = index.actor_before(e["start"])
            if a is not None:
                out.append((k, a, 0.5))
    return sorted(set(out))


def link_others(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """An unlinked "N آخرين" ("ثمانية مقاتلين آخرين") and a part after "بينهم" with no group word of its
    own take the sides of the count they continue (conventions: "N آخرون links to the side named in
    its sentence")."""
    linked = _linked(links)
    index = _Spans(entities)
    counts = [k for k, e in enumerate(entities) if e["label"] == "COUNT"]
    out = list(links)
    for k in counts:
        if k in linked:
            continue
        e = entities[k]
        after = _next_words(text, e["end"], 2)
        keys = [w for w, _, _ in after]
        before = _words_between(text, max(0, e["start"] - 30), e["start"])[-1:]
        others = bool(keys) and (keys[0] in _OTHERS or (len(keys) > 1 and keys[1] in _OTHERS
                                                         and not index.overlapping(after[0][1], after[0][2])))
        own_group = bool(after) and bool(index.overlapping(after[0][1], after[0][2]))
        part = bool(before) and _is_breakdown(before[-1]) and not own_group and "من" not in keys
        if others or part:
            j = _antecedent_count(text, index, k)
            if j is not None and j in linked:
                out.extend((k, a, p) for a, p in linked[j])
                linked[k] = linked[j]
    return sorted(set(out))


def link_coordinated(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A count linked to one of two coordinated groups ("21 من عناصر الجيش والحشد الشعبي", "معظمهم من
    النساء والأطفال") counts both: the spec links a total over several sides to each of them."""
    index = _Spans(entities)
    actors = sorted((x["start"], x["end"], k) for k, x in enumerate(entities) if x["label"] == "ACTOR")
    group: dict[int, list[int]] = {}  # actor -> the coordination it belongs to ("A و B و C")
    for (_, e1, k1), (s2, _, k2) in zip(actors, actors[1:]):
        gap = fold(text[e1:s2]).strip()
        joined = gap in ("و", "ومن") or (not gap and fold(text[s2 : s2 + 1]) == "و")
        if joined and not any(entities[x]["label"] != "ACTOR" for x in index.between(e1, s2)):
            members = group.setdefault(k1, [k1])
            members.append(k2)
            group[k2] = members
    out = list(links)
    have = {(c, a) for c, a, _ in links}
    for c, a, p in links:
        for b in group.get(a, []):
            if (c, b) not in have and _same_sentence(text, entities[c]["end"], entities[b]["start"]):
                out.append((c, b, p))
                have.add((c, b))
    return sorted(out)


def _antecedent_count(text: str, index: _Spans, k: int) -> int | None:
    """The count whose group "N آخرين" (or a part after "بينهم") continues: the nearest count before it
    in its sentence that is not itself a part of a breakdown ("٤٩٢ شخصا، بينهم ٣٥ طفلا و٥٨ امرأة،
    وإصابة ١٦٤٥ آخرين" continues ٤٩٢)."""
    entities = index.entities
    start = entities[k]["start"]
    begin = _sentence_start(text, start)
    prev = sorted((j for j in index.between(begin, start) if entities[j]["label"] == "COUNT"
                   and entities[j]["end"] <= start), key=lambda j: entities[j]["end"])
    totals = [j for j in prev[1:] if not _is_part(text, entities[prev[0]]["end"], entities[j]["start"])]
    return (prev[:1] + totals)[-1] if prev else None


def _is_part(text: str, i: int, j: int) -> bool:
    """Whether a count at j follows a breakdown word after i with no comma between ("بينهم ٣٥ طفلا و٥٨")."""
    words = word_spans(text[i:j])
    last = max((e for s, e in words if _is_breakdown(fold(text[i + s : i + e]))), default=None)
    return last is not None and not re.search(r"[،,]", text[i + last : j])


RELATION_RULES = (drop_breakdown_links, link_possessed, link_others, link_coordinated)


def apply_relation_rules(text: str, entities: list[dict], links: list[tuple[int, int, float]], rules=None):
    for rule in RELATION_RULES if rules is None else rules:
        links = rule(text, entities, links)
    return links
