"""Span edges the spec settles by the words themselves, applied to decoded spans (unit indices).

Each rule cuts a span where the spec says a new mention starts or the mention ends; none of them
grows a span or invents one out of nothing but a weekday the tagger swallowed into another span.
"""

from __future__ import annotations

import re

from .cn_counts import is_number_word
from .cn_arabic import fold, strip_proclitic


def _bare(word: str) -> set[str]:
    """The folded word with and without one proclitic."""
    w = fold(word)
    return {w, strip_proclitic(w)} if len(w) > 3 else {w}


# Conventions, ACTOR modifiers: "relative clauses (التي…) ... stay outside".
RELATIVES = frozenset("التي الذي الذين اللذين اللتين اللذان اللتان اللواتي اللاتي".split())
# Days of the week are DATE ("الثلاثاء"); inside another span they are the tagger running on.
WEEKDAYS = frozenset(fold(w) for w in "الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت".split())
# A direction noun starts a place of its own ("بلدة عنبتا شرق طولكرم" is two LOCATIONs) unless it
# follows another direction ("شمال شرق سوريا", "جنوب وغرب كركوك").
DIRECTIONS = frozenset(fold(w) for w in "شمال جنوب شرق غرب شمالي جنوبي شرقي غربي وسط".split())
# Place-type nouns that head a new place ("بلدة المحفد محافظة ابين"; "... بريف إدلب").
PLACE_NOUNS = frozenset(fold(w) for w in """
    مدينة بلدة قرية محافظة ولاية مديرية ناحية قضاء ريف منطقة مقاطعة إقليم حي مخيم مطار ميناء
""".split())


def _words(spans_units: range, is_word: list[bool]) -> list[int]:
    return [u for u in spans_units if is_word[u]]


def split_at_line_breaks(spans, units, is_word, text):
    """No mention runs across a line break (a headline, a dateline and the body are apart)."""
    out = []
    for a, b, label in spans:
        start = a
        for u in range(a, b - 1):
            if "\n" in text[units[u][1] : units[u + 1][0]]:
                out.append((start, u + 1, label))
                start = u + 1
        out.append((start, b, label))
    return [t for t in (trim_to_words(s, is_word) for s in out) if t]


def cut_relative_clauses(spans, units, is_word, text):
    """A span ends before a relative pronoun ("اللجنة المركزية التي" -> "اللجنة المركزية")."""
    out = []
    for a, b, label in spans:
        for u in _words(range(a + 1, b), is_word):
            if fold(text[units[u][0] : units[u][1]]) in RELATIVES:
                b = u
                break
        s = trim_to_words((a, b, label), is_word)
        if s:
            out.append(s)
    return out


def split_off_weekdays(spans, units, is_word, text):
    """A weekday at the end of an ACTOR, LOCATION or PERSON span is a DATE of its own
    ("الأمم المتحدة الخميس" -> ACTOR "الأمم المتحدة" + DATE "الخميس")."""
    out = []
    for a, b, label in spans:
        words = _words(range(a, b), is_word)
        if label in ("ACTOR", "LOCATION", "PERSON") and len(words) > 1 and \
                _bare(text[units[words[-1]][0] : units[words[-1]][1]]) & WEEKDAYS:
            head = trim_to_words((a, words[-1], label), is_word)
            if head:
                out.append(head)
            out.append((words[-1], words[-1] + 1, "DATE"))
            continue
        out.append((a, b, label))
    return out


_PLACE_CLITIC = re.compile(r"^(?:وب|و|ب)")


def split_new_places(spans, units, is_word, text):
    """A LOCATION span splits where a new place starts: a direction noun after a name ("بلدة جبع جنوب
    جنين"), or a place-type noun after a name, bare or with ب ("بلدة بنش بريف إدلب")."""
    out = []
    for a, b, label in spans:
        if label != "LOCATION":
            out.append((a, b, label))
            continue
        words = _words(range(a, b), is_word)
        cuts = []
        for i in range(1, len(words)):
            w, prev = text[units[words[i]][0] : units[words[i]][1]], text[units[words[i - 1]][0] : units[words[i - 1]][1]]
            folded, prev_forms = fold(w), _bare(prev)
            starts_direction = folded in DIRECTIONS  # with و it continues: "جنوب وغرب كركوك"
            starts_place = folded in PLACE_NOUNS or _PLACE_CLITIC.sub("", folded) in PLACE_NOUNS
            if (starts_direction or starts_place) and not prev_forms & (DIRECTIONS | PLACE_NOUNS):
                cuts.append(words[i])
        start = a
        for c in cuts:
            out.append((start, c, label))
            start = c
        out.append((start, b, label))
    return [t for t in (trim_to_words(s, is_word) for s in out) if t]


# A lone word that cannot be the mention by itself: the head of a phrase the tagger split ("شمال" +
# "غرب سوريا", "قبل" + "أيام", "صحيفة" + "المحلية"). It joins the span of its label right after it.
LONE_HEADS = {
    "LOCATION": DIRECTIONS | PLACE_NOUNS | frozenset(fold(w) for w in "شبه جبل نهر بحر سهل وادي جزيرة".split()),
    "DATE": frozenset(fold(w) for w in "قبل منذ خلال صباح مساء فجر ظهر ليلة ليل يوم مطلع أواخر أوائل منتصف بعد".split()),
    "ACTOR": frozenset(fold(w) for w in "صحيفة قبيلة قبيلتي جماعة حركة تنظيم حزب جيش قوات فصيل فصائل ميليشيا وكالة".split()),
}
# Words that continue a lone DATE head the tagger left outside ("منذ" + "أسابيع", "فجر" + "اليوم").
DATE_WORDS = frozenset(fold(w) for w in """
    اليوم أمس الأمس يوم أيام الأيام يومين اليومين أسبوع أسابيع الأسبوع شهر أشهر الشهر شهور سنة سنوات
    السنة عام أعوام العام ساعات الساعات ساعة الليلة الماضي الماضية المقبل المقبلة الأخير الأخيرة
    الأخيرين الحالي الجاري
""".split()) | WEEKDAYS


def join_lone_heads(spans, units, is_word, text):
    """A one-word span that is only a head ("شمال", "قبل", "صحيفة") joins the next span of its label
    when only spaces (or an opening quote) separate them; a lone DATE head with no such span takes the
    time words that follow it ("منذ أسابيع", "فجر اليوم")."""
    out: list[tuple[int, int, str]] = []
    spans = sorted(spans)
    taken = {u for a, b, _ in spans for u in range(a, b)}
    i = 0
    while i < len(spans):
        a, b, label = spans[i]
        words = _words(range(a, b), is_word)
        lone = len(words) == 1 and _bare(text[units[a][0] : units[a][1]]) & LONE_HEADS.get(label, frozenset())
        if lone and i + 1 < len(spans):
            na, nb, nlabel = spans[i + 1]
            if nlabel == label and not text[units[b - 1][1] : units[na][0]].strip(' "«\u00a0'):
                spans[i + 1] = (a, nb, label)
                i += 1
                continue
        if lone and label == "DATE":
            u = b
            while u < len(units) and u not in taken and is_word[u] and not text[units[u - 1][1] : units[u][0]].strip():
                w = text[units[u][0] : units[u][1]]
                if not (_bare(w) & DATE_WORDS or is_number_word(w)):
                    break
                u += 1
            b = u
        out.append((a, b, label))
        i += 1
    return out


# Conventions, PERSON: "Military ranks and honorifics are inside (العقيد …, الشيخ …)".
RANKS = frozenset(fold(w) for w in """
    العقيد اللواء المقدم الرائد النقيب العميد الفريق المشير الملازم الجنرال العريف الرقيب الأدميرال
    الشيخ
""".split())


def _word_before(units, is_word, text, a: int, allowed: str = "") -> int | None:
    """The word unit right before unit a, if only spaces (and ``allowed``) lie between."""
    prev = max((u for u in range(max(0, a - 3), a) if is_word[u]), default=None)
    if prev is None or text[units[prev][1] : units[a][0]].strip(" \u00a0" + allowed):
        return None
    return prev


def attach_ranks(spans, units, is_word, text):
    """A rank right before a PERSON belongs to it ("العقيد" + "نديم الحسن", "المقدم / علي …"); where
    the tagger gave the rank to the span before (ACTOR "الفرقة العقيد"), that span gives it up."""
    spans = sorted(spans)
    owner = {u: k for k, (a, b, _) in enumerate(spans) for u in range(a, b)}
    for k, (a, b, label) in enumerate(spans):
        prev = _word_before(units, is_word, text, a, "/") if label == "PERSON" else None
        if prev is None or not _bare(text[units[prev][0] : units[prev][1]]) & RANKS:
            continue
        j = owner.get(prev)
        if j is not None:
            pa, pb, pl = spans[j]
            if pb != prev + 1:  # the rank sits inside a longer span: leave both
                continue
            spans[j] = trim_to_words((pa, prev, pl), is_word) or (pa, pa, pl)
        spans[k] = (prev, b, "PERSON")
    return [s for s in spans if s[0] < s[1]]


def split_conjoined_groups(spans, units, is_word, text):
    """Two groups joined by و are two ACTOR mentions ("الجيش والشرطة الأفغانية" -> "الجيش" +
    "والشرطة الأفغانية"; a count may belong to either). Only where the phrase starts with a definite
    noun (a construct head governs both: "قوات الدفاع والأمن"), the conjunct is not a nisba adjective
    ("القوات الرواندية والموزمبيقية"), and no ل/ب phrase before the و could govern both ("المنسقية
    العامة للنازحين واللاجئين"): there the phrase is one name."""
    out = []
    for a, b, label in spans:
        words = _words(range(a, b), is_word)
        if label != "ACTOR" or len(words) < 2:
            out.append((a, b, label))
            continue
        first = strip_proclitic(fold(text[units[words[0]][0] : units[words[0]][1]]))
        cut = None
        if first.startswith("ال"):
            for i in range(1, len(words)):
                w = fold(text[units[words[i]][0] : units[words[i]][1]])
                if w.startswith(("ل", "ب")):
                    break
                if w.startswith("وال") and len(w) > 4:
                    if not w.endswith(("ية", "ي", "يه")):  # a nisba adjective conjoins to the head
                        cut = words[i]
                    break
        if cut is None:
            out.append((a, b, label))
        else:
            out.extend(t for t in (trim_to_words((a, cut, label), is_word), trim_to_words((cut, b, label), is_word)) if t)
    return out


def trim_to_words(span, is_word):
    """The span shrunk to start and end on a word unit (never on punctuation), or None if none is left."""
    a, b, label = span
    while a < b and not is_word[a]:
        a += 1
    while b > a and not is_word[b - 1]:
        b -= 1
    return (a, b, label) if a < b else None


BOUNDARY_RULES = (split_at_line_breaks, cut_relative_clauses, split_off_weekdays, split_new_places, join_lone_heads, attach_ranks,
                  split_conjoined_groups)


def apply_boundary_rules(spans, units, is_word, text, rules=None):
    for rule in BOUNDARY_RULES if rules is None else rules:
        spans = rule(spans, units, is_word, text)
    return spans
