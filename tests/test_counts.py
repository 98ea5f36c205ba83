"""conflict_ner.counts: Arabic casualty counts, each expected value decided by reading the Arabic."""

from __future__ import annotations

import dataclasses
import time

import pytest

from conflict_ner.counts import CountInfo, parse_count

# (span, context_before, context_after, value, approximate, qualifier)
CASES = [
    # digits: Western, Arabic-Indic, Persian, group separators, glued proclitics
    ("37", "", "", 37, False, None),
    ("٣٧", "", "", 37, False, None),
    ("۳۷", "", "", 37, False, None),
    ("١٬٢٠٠", "", "", 1200, False, None),
    ("1٬200", "", "", 1200, False, None),
    ("1,200", "", "", 1200, False, None),
    ("1.200", "", "", 1200, False, None),
    ("12,500", "", "", 12500, False, None),
    ("1,200,000", "", "", 1200000, False, None),
    ("لـ40", "ارتفعت الحصيلة ", " قتيلا", 40, False, None),
    ("ل40", "", "", 40, False, None),
    ("و15", "قتل 3 ", " جريحا", 15, False, None),
    ("بـ٢٥", "", "", 25, False, None),
    ("نحو70", "قتل ", " شخصا", 70, True, "about"),
    # units, teens, tens, with case/gender/spelling variants and diacritics/tatweel
    ("ثلاثة", "", "", 3, False, None),
    ("وثلاثة", "قتل جنديان ", "", 3, False, None),
    ("ثلاث", "", " نساء", 3, False, None),
    ("ثلاثه", "", "", 3, False, None),
    ("ثَلاثَةُ", "", "", 3, False, None),
    ("ثلاثـــة", "", "", 3, False, None),
    ("واحد", "قتيل ", "", 1, False, None),
    ("إحدى", "", "", 1, False, None),
    ("اثنان", "", "", 2, False, None),
    ("اثنين", "", "", 2, False, None),
    ("إثنين", "", "", 2, False, None),
    ("ثمان", "", "", 8, False, None),
    ("ثماني", "", "", 8, False, None),
    ("ثمانية", "", "", 8, False, None),
    ("عشرة", "", "", 10, False, None),
    ("خمسة عشر", "", "", 15, False, None),
    ("خَمْسَةَ عَشَرَ", "", "", 15, False, None),
    ("خمس عشرة", "", " امرأة", 15, False, None),
    ("أحد عشر", "", "", 11, False, None),
    ("إحدى عشرة", "", "", 11, False, None),
    ("احدى عشره", "", "", 11, False, None),
    ("اثنا عشر", "", "", 12, False, None),
    ("اثني عشر", "", "", 12, False, None),
    ("ثمانية عشر", "", "", 18, False, None),
    ("عشرين", "", "", 20, False, None),
    ("عشـرون", "", "", 20, False, None),
    ("ستين", "", "", 60, False, None),
    ("ثمانين", "", "", 80, False, None),
    ("ثلاثة وعشرون", "", "", 23, False, None),
    ("ثلاث وعشرين", "", "", 23, False, None),
    ("أربعة وأربعون", "", "", 44, False, None),
    ("خمسة و تسعين", "", "", 95, False, None),
    ("تسعة وثمانين", "", "", 89, False, None),
    # hundreds
    ("مئة", "", "", 100, False, None),
    ("مائة", "", "", 100, False, None),
    ("مئه", "", "", 100, False, None),
    ("مئتان", "", "", 200, False, None),
    ("مائتين", "", "", 200, False, None),
    ("مئتي", "", " شخص", 200, False, None),
    ("ثلاثمائة", "", "", 300, False, None),
    ("ثلاثمئة", "", "", 300, False, None),
    ("ثلاث مئة", "", "", 300, False, None),
    ("خمسمئة", "", "", 500, False, None),
    ("ثمانمائة", "", "", 800, False, None),
    ("تسعمئة", "", "", 900, False, None),
    ("مئة وخمسون", "", "", 150, False, None),
    ("ثلاثمئة وخمسة وعشرون", "", "", 325, False, None),
    # thousands and above
    ("ألف", "", "", 1000, False, None),
    ("الف", "", "", 1000, False, None),
    ("ألفان", "", "", 2000, False, None),
    ("ألفين", "", "", 2000, False, None),
    ("ألفي", "", " شخص", 2000, False, None),
    ("ألفا", "قتل ", " شخص", 2000, False, None),
    ("ألفًا", "بلغ عدد القتلى ", "", 1000, False, None),
    ("ألفين وثلاثمئة", "", "", 2300, False, None),
    ("ألف وخمسمئة", "", "", 1500, False, None),
    ("ثلاثة آلاف", "", "", 3000, False, None),
    ("عشرة آلاف", "", "", 10000, False, None),
    ("4 آلاف", "", "", 4000, False, None),
    ("٤ آلاف", "", "", 4000, False, None),
    ("4 آلاف و100", "", "", 4100, False, None),
    ("ثلاثين ألفا", "", "", 30000, False, None),
    ("عشرين ألفاً", "", "", 20000, False, None),
    ("أحد عشر ألفا", "", "", 11000, False, None),
    ("ثلاثة عشر ألفا", "", "", 13000, False, None),
    ("مئة ألف", "", "", 100000, False, None),
    ("مائتي ألف", "", "", 200000, False, None),
    ("ثلاثمئة ألف", "", "", 300000, False, None),
    ("مليون", "", "", 1000000, False, None),
    ("مليونين", "", "", 2000000, False, None),
    ("3 ملايين", "", "", 3000000, False, None),
    ("ثلاثة ملايين", "", "", 3000000, False, None),
    ("1.5 مليون", "", "", 1500000, False, None),
    ("١٫٥ مليون", "", "", 1500000, False, None),
    ("2.5 مليون", "", "", 2500000, False, None),
    ("مليون ونصف", "", "", 1500000, False, None),
    ("نصف مليون", "", "", 500000, False, None),
    ("مليون وثلاثمئة ألف", "", "", 1300000, False, None),
    # vague words: lower bound, approximate
    ("عشرات", "قتل ", " المدنيين", 10, True, None),
    ("العشرات", "", "", 10, True, None),
    ("مئات", "", "", 100, True, None),
    ("المئات", "", "", 100, True, None),
    ("للمئات", "", "", 100, True, None),
    ("آلاف", "", "", 1000, True, None),
    ("الآلاف", "", "", 1000, True, None),
    ("بالآلاف", "", "", 1000, True, None),
    ("عشرات الآلاف", "", "", 10000, True, None),
    ("مئات الآلاف", "", "", 100000, True, None),
    ("ملايين", "", "", 1000000, True, None),
    ("بضعة", "", "", 3, True, None),
    ("بضع مئات", "", "", 300, True, None),
    ("بضعة آلاف", "", "", 3000, True, None),
    # duals of people nouns
    ("جنديان", "قتل ", "", 2, False, None),
    ("طفلين", "", "", 2, False, None),
    ("مدنيان", "", "", 2, False, None),
    ("امرأتين", "", "", 2, False, None),
    ("شرطيين", "", "", 2, False, None),
    ("صحفيتين", "", "", 2, False, None),
    # qualifiers before the span
    ("30", "قتل أكثر من ", " شخصا", 30, False, "more_than"),
    ("12", "ما يزيد على ", "", 12, False, "more_than"),
    ("50", "مقتل ما لا يقل عن ", "", 50, False, "at_least"),
    ("20", "لا يقل عن ", "", 20, False, "at_least"),
    ("100", "حصيلة لا تقل عن ", "", 100, False, "at_least"),
    ("40", "قتل على الأقل ", "", 40, False, "at_least"),
    ("70", "نحو ", "", 70, True, "about"),
    ("70", "قتل بنحو ", "", 70, True, "about"),
    ("200", "حوالي ", "", 200, True, "about"),
    ("200", "حوالى ", "", 200, True, "about"),
    ("مئة", "قرابة ", "", 100, True, "about"),
    ("ألف", "زهاء ", "", 1000, True, "about"),
    ("40", "ما يقرب من ", "", 40, True, "about"),
    ("عشرات", "أكثر من ", "", 10, True, "more_than"),
    ("15", "أقل من ", "", 15, False, "less_than"),
    ("10", "ما لا يزيد عن ", "", 10, False, "at_most"),
    ("ثلاثين", "ارتفع العدد حتى ", "", 30, False, "at_most"),
    ("500", "لا يتجاوز ", "", 500, False, "at_most"),
    # qualifiers inside the span
    ("نحو 70", "", "", 70, True, "about"),
    ("أكثر من 30", "", "", 30, False, "more_than"),
    ("ما لا يقل عن ٧", "", "", 7, False, "at_least"),
    ("30 على الأقل", "", "", 30, False, "at_least"),
    # qualifiers after the span
    ("30", "", " على الأقل", 30, False, "at_least"),
    ("30", "قتل ", " شخصا على الأقل", 30, False, "at_least"),
    ("25", "", " تقريباً", 25, True, "about"),
    ("20", "", " أو أكثر", 20, False, "at_least"),
    ("1000", "", " شخص كحد أقصى", 1000, False, "at_most"),
    # no qualifier where none applies to this span
    ("3", "قتل ", " وأصيب على الأقل 10", 3, False, None),
    ("30", "ارتفعت حصيلة القتلى حتى الآن إلى ", "", 30, False, None),
    ("30", "أكثر من مرة. ", "", 30, False, None),
    ("30", "", " شخصا. على الأقل", 30, False, None),
]


@pytest.mark.parametrize(("span", "before", "after", "value", "approximate", "qualifier"), CASES)
def test_parse_count(span, before, after, value, approximate, qualifier):
    assert parse_count(span, before, after) == CountInfo(value, approximate, qualifier)


@pytest.mark.parametrize(
    "garbage",
    ["", "   ", "xyz", "القتلى", "غير معروف", "؟؟", "...", "مدنيون", "الآن", "شبان", "2.5", "1٬5", "1,2,3"],
)
def test_garbage_gives_none(garbage):
    assert parse_count(garbage) == CountInfo(None, False, None)


@pytest.mark.parametrize("bad", [None, 37, 3.0, b"37", ["37"]])
def test_non_str_span_raises(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        parse_count(bad)


def test_non_str_context_raises():
    with pytest.raises(TypeError, match="NoneType"):
        parse_count("37", None)
    with pytest.raises(TypeError, match="int"):
        parse_count("37", "", 5)


def test_to_json_and_frozen():
    info = parse_count("نحو70")
    assert info.to_json() == {"value": 70, "approximate": True, "qualifier": "about"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.value = 3


def test_hostile_inputs_are_fast_and_safe():
    start = time.perf_counter()
    assert parse_count("9" * 5000).value is None  # int() would refuse this many digits
    assert parse_count("1," * 20000).value is None
    parse_count("ثلاثة " * 20000)  # nonsense; only needs to come back quickly
    parse_count("37", "نحو " * 50000, " على الأقل" * 50000)
    assert time.perf_counter() - start < 2.0
