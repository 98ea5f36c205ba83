"""Tags to spans and pair scores to links, on unit indices (no model, no tokenizer here)."""

from __future__ import annotations

import re

import numpy as np

from .boundary_rules import apply_boundary_rules, trim_to_words
from .counts import is_number_word, parse_count
from .schema import tag_label
from .text.arabic import MARKS, fold, strip_proclitic


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
    return [t for t in (trim_to_words(s, is_word) for s in spans) if t]


DECODERS = ("argmax", "viterbi")


def decode_tags(dist: list[list[float]], id2tag: dict[int, str], decoder: str = "argmax") -> list[str]:
    """Tags of consecutive units from their tag distributions. ``argmax`` takes each unit's most
    probable tag (bio_spans then reads an I- after O as a start); ``viterbi`` takes the most probable
    sequence in which every I-X follows B-X or I-X, so a span is never cut where the model hesitates
    between B- and I- and never starts on an I-."""
    if decoder not in DECODERS:
        raise ValueError(f"unknown decoder {decoder!r}; choose one of {', '.join(DECODERS)}")
    if not dist:
        return []
    x = np.log(np.clip(np.asarray(dist, dtype=np.float64), 1e-12, None))
    if decoder == "argmax":
        return [id2tag[int(k)] for k in x.argmax(-1)]
    n_tags = x.shape[1]
    names = [id2tag[k] for k in range(n_tags)]
    allowed = np.zeros((n_tags, n_tags))  # allowed[prev, cur]: 0 or -inf
    for j, cur in enumerate(names):
        if cur.startswith("I-"):
            allowed[:, j] = [0.0 if p[2:] == cur[2:] and p[:2] in ("B-", "I-") else -np.inf for p in names]
    start = np.array([-np.inf if t.startswith("I-") else 0.0 for t in names])
    score = start + x[0]
    back = np.zeros(x.shape, dtype=np.int64)
    for u in range(1, len(x)):
        cand = score[:, None] + allowed
        back[u] = cand.argmax(0)
        score = cand.max(0) + x[u]
    best = [int(score.argmax())]
    for u in range(len(x) - 1, 0, -1):
        best.append(int(back[u, best[-1]]))
    return [names[k] for k in reversed(best)]


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
    return strip_proclitic(MARKS.sub("", surface).strip())


def select_links(
    candidates: dict[int, list[tuple[int, float, int]]], surfaces: list[str], threshold: float,
    extra_threshold: float | None = None,
) -> list[tuple[int, int, float]]:
    """candidates: count -> [(actor, prob, distance)]. One link per side (the spec links the nearest
    mention: the nearest mention at or above ``threshold`` wins). A count's best side needs
    ``threshold``; each further side needs ``extra_threshold`` (default: the same), since most counts
    belong to one side and totals over several are rarer."""
    extra = threshold if extra_threshold is None else max(threshold, extra_threshold)
    links = []
    for count, cands in candidates.items():
        best: dict[str, tuple[int, float, int]] = {}
        top: dict[str, float] = {}
        for actor, prob, dist in cands:
            if prob < threshold:
                continue
            key = side_key(surfaces[actor])
            top[key] = max(prob, top.get(key, 0.0))
            if key not in best or abs(dist) < abs(best[key][2]):
                best[key] = (actor, prob, dist)
        ranked = sorted(best, key=lambda k: -top[k])
        keep = [best[k] for i, k in enumerate(ranked) if i == 0 or top[k] >= extra]
        links.extend((count, a, p) for a, p, _ in sorted(keep))
    return sorted(links)


# The spec's conventions "Member nouns" and "Partitive من": a bare member noun, definite or not
# (جنود، المسلحين، عنصرا، أشخاص), a word the spec keeps outside ACTOR spans (قتلى، جرحى), and a
# pronoun-possessed force noun (قواتها، جنوده، عناصرهم) are never ACTOR mentions. Only whole
# one-word spans are dropped, so "جنود الجيش التركي" and the side nouns "حوثيا", "مدنيين" stay.
# Forms are written with bare alef and ي, as fold() reads a span.
_MEMBER_STEMS = {
    "جندي": "جنديا جنديان جنديين جنود",
    "عنصر": "عنصرا عنصران عنصرين عناصر",
    "مقاتل": "مقاتلا مقاتلان مقاتلين مقاتلون",
    "مسلح": "مسلحا مسلحان مسلحين مسلحون",
    "شخص": "شخصا شخصان شخصين اشخاص",
    "فرد": "فردا فردان فردين افراد",
    "عسكري": "عسكريا عسكريان عسكريين عسكريون",
    "ضابط": "ضابطا ضابطان ضابطين ضباط",
    "رجل": "رجلا رجال",
    "قيادي": "قياديا قياديان قياديين قياديون",
    "قتيل": "قتلي",
    "جريح": "جرحي",
    "مصاب": "مصابا مصابين مصابون",
}
MEMBER_NOUNS = frozenset(
    f"{article}{form}"
    for stem, forms in _MEMBER_STEMS.items()
    for form in [stem, *forms.split()]
    for article in ("", "ال")
)
_POSSESSED = re.compile(r"^(?:قوات|جنود|عناصر|مقاتلي|افراد|رجال|مسلحي|موظفي|متطوعي)(?:ه|ها|هم|هما|هن|نا)$")


def is_bare_member_noun(surface: str) -> bool:
    """True for a one-word surface that the spec never tags ACTOR (see MEMBER_NOUNS)."""
    word = fold(surface)
    if not word or " " in word:
        return False
    forms = {word, strip_proclitic(word)}
    return any(f in MEMBER_NOUNS or _POSSESSED.match(f) for f in forms)


def drop_member_nouns(spans: list[tuple[int, int, str]], units: list[tuple[int, int]], text: str) -> list[tuple[int, int, str]]:
    """The spans without ACTOR spans that are a bare or pronoun-possessed member noun."""
    return [
        (a, b, label) for a, b, label in spans
        if label != "ACTOR" or not is_bare_member_noun(text[units[a][0] : units[b - 1][1]])
    ]


# The spec's COUNT span rule: "the number itself ... Numbers of objects, ages, years, percentages and
# money are not COUNT" (conventions: "numbers of families, houses or vehicles are not"). What follows
# a number names what it counts; these nouns (singular, plural, accusative; read under a proclitic and
# the article) are things, families, money and units, never people.
_NOT_PEOPLE = frozenset(fold(w) for w in """
    منزل منزلا منازل بيت بيتا بيوت مبنى مباني مبان مدرسة مدارس مستشفى مستشفيات مسجد مساجد قرية قرى
    بلدة بلدات مخيم مخيما مخيمات موقع موقعا مواقع مقر مقرا مقرات حي أحياء محل محلات متجر متاجر
    سيارة سيارات مركبة مركبات آلية آليات دبابة دبابات مدرعة مدرعات طائرة طائرات مسيرة مسيرات صاروخ
    صاروخا صواريخ قذيفة قذائف غارة غارات ضربة ضربات عبوة عبوات لغم ألغام شاحنة شاحنات قارب قوارب
    سفينة سفن زورق زوارق طلقة طلقات رصاصة سلاح أسلحة بندقية
    عائلة عائلات أسرة أسر
    دولار دولارا دولارات يورو ريال ريالا ليرة جنيه جنيها دينار دينارا درهم درهما روبية
    عام عاما أعوام سنة سنوات شهر شهرا أشهر يوم يوما أيام ساعة ساعات دقيقة دقائق أسبوع أسابيع
    كيلومتر كيلومترا كيلومترات كلم كم متر مترا أمتار ميل ميلا طن أطنان هكتار
    خلية خلايا خرق خرقا خروقات هجوم هجوما هجمات عملية عمليات مجزرة مجازر دولة دول حادث حوادث
""".split())
_PERCENT_AFTER = re.compile(r"^\s*(?:[%٪]|(?:في|بال)\s?الما?[ئي]ة)")
_AGE_BEFORE = frozenset(fold(w) for w in "سن عمر عمره عمرها عمرهم أعمار أعمارهم أعمارهن العمر".split())


def _noun_forms(word: str) -> set[str]:
    """The word as written and without a proclitic, each also without the article (folded)."""
    forms = set()
    for w in {fold(word), strip_proclitic(fold(word))}:
        forms |= {w, w[2:]} if w.startswith("ال") and len(w) > 3 else {w}
    return forms


def count_rules(spans: list[tuple[int, int, str]], units: list[tuple[int, int]], is_word: list[bool],
                text: str) -> list[tuple[int, int, str]]:
    """COUNT spans made to follow the spec: grown over number words right next to them ("وأحد" +
    "عشر", "ثلاثة" + "ملايين"), trimmed to their number words ("9 أشخاص" -> "9"), and dropped where
    no number can be read (a lone "أكثر", "طفل") or where they count things, percentages or ages."""
    taken = {u for a, b, _ in spans for u in range(a, b)}  # growing never makes spans overlap

    def word(u: int) -> str:
        return text[units[u][0] : units[u][1]]

    def next_to(u: int, v: int) -> bool:  # units u < v with only spaces between
        return 0 <= u < v < len(units) and is_word[u] and is_word[v] and not text[units[u][1] : units[v][0]].strip()

    out = []
    for a, b, label in spans:
        if label != "COUNT":
            out.append((a, b, label))
            continue
        while next_to(a - 1, a) and a - 1 not in taken and is_number_word(word(a - 1)):
            a -= 1
        while next_to(b - 1, b) and b not in taken and is_number_word(word(b)):
            b += 1
        numbers = [u for u in range(a, b) if is_word[u] and is_number_word(word(u))]
        if numbers:
            a, b = numbers[0], numbers[-1] + 1
        raw = text[units[a][0] : units[b - 1][1]]
        after = text[units[b - 1][1] : units[b - 1][1] + 20]
        nxt = next((u for u in range(b, min(b + 2, len(units))) if is_word[u]), None)
        prev = [u for u in range(max(0, a - 2), a) if is_word[u] and fold(word(u)) not in ("ال", "الـ")]
        if (parse_count(raw).value is None or _PERCENT_AFTER.match(after)
                or (nxt is not None and next_to(b - 1, nxt) and _noun_forms(word(nxt)) & _NOT_PEOPLE)
                or (prev and _noun_forms(word(prev[-1])) & _AGE_BEFORE)):
            continue
        out.append((a, b, label))
    return out


def apply_span_rules(spans: list[tuple[int, int, str]], units: list[tuple[int, int]], is_word: list[bool],
                     text: str) -> list[tuple[int, int, str]]:
    """The spec's span conventions on decoded spans: edges the words settle (boundary_rules), member
    nouns are not ACTOR, COUNT is a number of people."""
    spans = count_rules(drop_member_nouns(spans, units, text), units, is_word, text)
    return apply_boundary_rules(spans, units, is_word, text)
