"""Document-level rules on decoded entities, after the heads: an outcome word next to a count, and
counts that repeat (a headline's count restated in the body) sharing their sides.

Both act only where the model leaves room: a cue overrides the outcome head only when the head gives
the cued outcome some probability, and a count takes the sides of its repeat only when it has none.
"""

from __future__ import annotations

import re

from .text.words import word_spans

_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_CLITIC = re.compile(r"^(?:وب|ول|فب|فل|و|ف|ب|ل|ك)?(?:ال)?")

# Words that say what happened to the counted people (folded: bare alef, ى -> ي, ة -> ه). Whole
# words only: a stem would also match اسرة (family) or اسرائيل under اسر.
_CUES: dict[str, str] = {}
for _outcome, _words in {
    "killed": "قتل مقتل قتلي قتيل قتيلا قتلوا مصرع مصرعهم مصرعه استشهد استشهاد استشهدوا شهيد شهيدا شهداء",
    "wounded": "اصابه اصيب اصيبوا اصابات جرح جرحي جريح جريحا مصاب مصابا مصابين مصابون",
    "missing": "مفقود مفقودا مفقودين مفقودون فقدان عداد",
    "captured": "اسر اسرت اسير اسيرا اسري اعتقال اعتقل اعتقلت معتقل معتقلا معتقلين خطف اختطاف اختطف "
                "مختطف مختطفا مختطفين رهينه رهائن احتجاز محتجز محتجزا محتجزين",
    "displaced": "نزح نزحوا نزوح نازح نازحا نازحين نازحون فر فروا فرار هجر تهجير مهجر مهجرين لاجئ لاجئا "
                 "لاجئين لاجئون اجلاء",
}.items():
    for _w in _words.split():
        _CUES[_w] = _outcome

_STOPS = re.compile(r"[.،,؛;:!?؟\n«»\"()]")
CUE_WORDS_AFTER = 3  # the counted noun and the verb or noun that follows it
CUE_WORDS_BEFORE = 2  # "مقتل 14", "نزوح نحو 200"


def _key(word: str) -> str:
    w = _MARKS.sub("", word).translate(_FOLD)
    return w if w in _CUES else _CLITIC.sub("", w, count=1)


def outcome_cues(text: str, start: int, end: int, stop_at: list[tuple[int, int]]) -> set[str]:
    """Outcomes named by cue words next to a count at text[start:end]: up to CUE_WORDS_BEFORE words
    before it and CUE_WORDS_AFTER after, never across punctuation or another entity in ``stop_at``."""
    found: set[str] = set()
    words = word_spans(text)
    after = [w for w in words if w[0] >= end][:CUE_WORDS_AFTER]
    before = [w for w in words if w[1] <= start][-CUE_WORDS_BEFORE:][::-1]
    for side, edge in ((after, end), (before, start)):
        for s, e in side:
            gap = text[min(edge, e) : max(edge, s)]
            if _STOPS.search(gap) or any(a < e and s < b for a, b in stop_at if (a, b) != (start, end)):
                break
            o = _CUES.get(_key(text[s:e]))
            if o:
                found.add(o)
            edge = e if side is after else s
    return found


def apply_outcome_cues(text: str, entities: list[dict], outcome_probs: dict[int, list[float]],
                       labels: list[str], min_prob: float) -> None:
    """Where the words next to a count name one outcome, and the head gives it at least ``min_prob``,
    that outcome wins ("200 مدني نزحوا" is displaced, whatever else the head leans to)."""
    counts = [(e["start"], e["end"]) for e in entities if e["label"] == "COUNT"]
    for k, ent in enumerate(entities):
        probs = outcome_probs.get(k)
        if ent["label"] != "COUNT" or not probs:
            continue
        cued = outcome_cues(text, ent["start"], ent["end"], counts)
        if len(cued) == 1:
            (o,) = cued
            j = labels.index(o) if o in labels else None
            if j is not None and o != ent["outcome"] and probs[j] >= min_prob:
                ent["outcome"], ent["outcome_score"] = o, round(probs[j], 4)


def _next_word(text: str, end: int) -> str:
    m = re.match(r"\s*(\w+)", text[end : end + 40])
    return _key(m.group(1)) if m else ""


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
    sides: dict[int, list[tuple[int, float]]] = {}
    for c, a, p in links:
        sides.setdefault(c, []).append((a, p))

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
_OTHERS = frozenset("اخرين اخرون اخر اخري اخريات".split())  # "وإصابة 14 آخرين"
# "من جنوده/متطوعيها": a member noun with a third-person pronoun (first-person "جنودنا" is the quoted
# speaker, often not the nearest group; left to the head). Read on the folded word, ة kept.
_PARTITIVE_PRONOUNS = frozenset("منها منهم منه".split())
_POSSESSED = re.compile(
    r"^(?:جنود|عناصر|مقاتلي|افراد|موظفي|متطوعي|اعضاء|اعضائ|طواقم|ضباط|ابطال|كوادر|منتسبي|رجال|مسلحي|"
    r"قوات|عمال|مسعفي|عسكريي|جرحا|قتلا)(?:ه|ها|هم|هما|هن)$")


def _same_sentence(text: str, i: int, j: int) -> bool:
    return not _SENTENCE_END.search(text[min(i, j) : max(i, j)])


def _fold(word: str) -> str:
    return _MARKS.sub("", word).translate(_FOLD)


def _words_between(text: str, i: int, j: int) -> list[str]:
    """The words of text[i:j], folded (no clitic stripped: "بينهم" is no ب + "ينهم")."""
    return [_fold(text[i + s : i + e]) for s, e in word_spans(text[i:j])]


def _next_words(text: str, end: int, n: int) -> list[tuple[str, int, int]]:
    """Up to n words after ``end`` as (key, start, end), stopping at the end of the sentence."""
    stop = _SENTENCE_END.search(text, end)
    limit = min(end + 60, stop.start() if stop else len(text))
    return [(_key(text[end + s : end + e]), end + s, end + e) for s, e in word_spans(text[end:limit])][:n]


def _nearest_actor_before(entities: list[dict], start: int) -> int | None:
    """The ACTOR mention nearest before ``start`` (the spec's earlier-mention rule)."""
    before = [k for k, e in enumerate(entities) if e["label"] == "ACTOR" and e["end"] <= start]
    return max(before, key=lambda k: entities[k]["end"]) if before else None


def drop_breakdown_links(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A total given with its breakdown stays unlinked unless the text names its side: a link from a
    count to a group named after "بينهم"/"منهم" that follows it ("100 شخص، بينهم نساء") is dropped."""
    out = []
    for c, a, p in links:
        ce, as_ = entities[c]["end"], entities[a]["start"]
        if as_ > ce and _BREAKDOWN & {w[1:] if w[:1] in "وف" and w[1:] in _BREAKDOWN else w for w in _words_between(text, ce, as_)}:
            continue
        out.append((c, a, p))
    return out


def _linked(links) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = {}
    for c, a, p in links:
        out.setdefault(c, []).append((a, p))
    return out


def _inside(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a < e and s < b for a, b in spans)


def link_possessed(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """An unlinked "N من جنوده/متطوعيها" (a member noun with a pronoun) or "N مقاتلا منها" links to the
    group the pronoun refers to, the nearest ACTOR before it (the spec's "Partitive من": their counts
    link to the group the pronoun refers to)."""
    linked = _linked(links)
    spans = [(x["start"], x["end"]) for x in entities]
    out = list(links)
    for k, e in enumerate(entities):
        if e["label"] != "COUNT" or k in linked:
            continue
        after = _next_words(text, e["end"], 3)
        keys = [w for w, _, _ in after]
        m = next((i for i, w in enumerate(keys[:2]) if w == "من"), None)
        possessed = m is not None and m + 1 < len(after) and _POSSESSED.match(_fold(text[after[m + 1][1] : after[m + 1][2]])) \
            and not _inside(spans, after[m + 1][1], after[m + 1][2])
        pronoun = next((i for i, w in enumerate(keys[:2]) if w in _PARTITIVE_PRONOUNS), None)
        if pronoun == 1 and not _inside(spans, after[0][1], after[0][2]):  # "30 مقاتلا منها", not "5 من ... منهم"
            possessed = True
        if possessed:
            a = _nearest_actor_before(entities, e["start"])
            if a is not None:
                out.append((k, a, 0.5))
    return sorted(set(out))


def link_others(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """An unlinked "N آخرين" ("ثمانية مقاتلين آخرين") and a part after "بينهم" with no group word of its
    own take the sides of the count they continue (conventions: "N آخرون links to the side named in
    its sentence")."""
    linked = _linked(links)
    spans = [(x["start"], x["end"]) for x in entities]
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
                                                         and not _inside(spans, after[0][1], after[0][2])))
        own_group = bool(after) and _inside(spans, after[0][1], after[0][2])
        part = bool(before) and before[-1].lstrip("وف") in _BREAKDOWN and not own_group and "من" not in keys
        if others or part:
            j = _antecedent_count(text, entities, counts, k)
            if j is not None and j in linked:
                out.extend((k, a, p) for a, p in linked[j])
                linked[k] = linked[j]
    return sorted(set(out))


def link_coordinated(text: str, entities: list[dict], links: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A count linked to one of two coordinated groups ("21 من عناصر الجيش والحشد الشعبي", "معظمهم من
    النساء والأطفال") counts both: the spec links a total over several sides to each of them."""
    actors = sorted((x["start"], x["end"], k) for k, x in enumerate(entities) if x["label"] == "ACTOR")
    group: dict[int, list[int]] = {}  # actor -> the coordination it belongs to ("A و B و C")
    for (_, e1, k1), (s2, _, k2) in zip(actors, actors[1:]):
        gap = _fold(text[e1:s2]).strip()
        joined = gap in ("و", "ومن") or (not gap and _fold(text[s2 : s2 + 1]) == "و")
        if joined and not any(x["label"] != "ACTOR" and e1 <= x["start"] < s2 for x in entities):
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


def _antecedent_count(text: str, entities: list[dict], counts: list[int], k: int) -> int | None:
    """The count whose group "N آخرين" (or a part after "بينهم") continues: the nearest count before it
    in its sentence that is not itself a part of a breakdown ("٤٩٢ شخصا، بينهم ٣٥ طفلا و٥٨ امرأة،
    وإصابة ١٦٤٥ آخرين" continues ٤٩٢)."""
    start = entities[k]["start"]
    prev = sorted((j for j in counts if entities[j]["end"] <= start and _same_sentence(text, entities[j]["end"], start)),
                  key=lambda j: entities[j]["end"])
    totals = [j for j in prev[1:] if not _is_part(text, entities[prev[0]]["end"], entities[j]["start"])]
    return (prev[:1] + totals)[-1] if prev else None


def _is_part(text: str, i: int, j: int) -> bool:
    """Whether a count at j follows a breakdown word after i with no comma between ("بينهم ٣٥ طفلا و٥٨")."""
    words = word_spans(text[i:j])
    last = max((e for s, e in words if _fold(text[i + s : i + e]).lstrip("وف") in _BREAKDOWN), default=None)
    return last is not None and not re.search(r"[،,]", text[i + last : j])


RELATION_RULES = (drop_breakdown_links, link_possessed, link_others, link_coordinated)


def apply_relation_rules(text: str, entities: list[dict], links: list[tuple[int, int, float]], rules=None):
    for rule in RELATION_RULES if rules is None else rules:
        links = rule(text, entities, links)
    return links
