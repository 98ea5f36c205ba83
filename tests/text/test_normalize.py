"""Normalisation keeps an exact map back to raw offsets, word for word (hypothesis + examples)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from conflict_ner.text.normalize import normalize
from conflict_ner.text.words import ends_word, starts_word, word_spans

ARABIC_LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةىٱ")
LATIN = list("aBzQ")
DIGITS = list("0123456789") + [chr(0x0660 + i) for i in range(10)] + [chr(0x06F0 + i) for i in range(10)]
DIACRITICS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670"]
TATWEEL = "\u0640"
PUNCT = list("،.«»\"()؟") + ["\u066c", "\u066b"]  # also the Arabic thousands/decimal separators
SPACES = [" ", "\u00a0", "\u202f", "\u200f", "\u200e", "\u200b", "\t", "\n"]
ODD_SPACES = {"\u00a0", "\u202f", "\u200f", "\u200e", "\u200b", "\t"}
EMOJI = ["😀", "🔥", "👍🏽", "❤️", "🇸🇾"]  # incl. a skin-tone modifier, a variation selector, flag

PIECES = ARABIC_LETTERS + LATIN + DIGITS + DIACRITICS + [TATWEEL] + PUNCT + SPACES + EMOJI
raw_texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _deleted(ch: str) -> bool:
    return ch == TATWEEL or unicodedata.category(ch) == "Mn"


@settings(max_examples=300, deadline=None)
@given(raw_texts, st.booleans())
def test_normalised_text_is_clean(raw, fold):
    n = normalize(raw, fold_letters=fold)
    assert not any(c in DIACRITICS or c == TATWEEL for c in n.text)
    assert not any(unicodedata.category(c) == "Mn" for c in n.text)
    assert not any(c in ODD_SPACES for c in n.text)
    assert all(c.isascii() for c in n.text if unicodedata.category(c) == "Nd")
    # one normalised char per raw char that is not deleted, in order, mapped by raw_index
    assert len(n.raw_index) == len(n.text)
    assert n.raw_index == sorted(set(n.raw_index))
    assert n.raw_index == [i for i, c in enumerate(raw) if not _deleted(c)]
    assert n.text.count("\n") == raw.count("\n")  # line breaks survive
    if fold:
        assert not any(c in "أإآٱى" for c in n.text)


@settings(max_examples=300, deadline=None)
@given(raw_texts, st.booleans())
def test_normalised_words_map_to_raw_words(raw, fold):
    n = normalize(raw, fold_letters=fold)
    for s, e in word_spans(n.text):
        rs, re_ = n.to_raw(s, e)
        assert starts_word(raw, rs), (raw, n.text, (s, e), (rs, re_))
        assert ends_word(raw, re_), (raw, n.text, (s, e), (rs, re_))
        assert normalize(raw[rs:re_], fold_letters=fold).text == n.text[s:e]


@settings(max_examples=300, deadline=None)
@given(raw_texts)
def test_multiword_spans_map_to_raw_spans(raw):
    n = normalize(raw)
    words = word_spans(n.text)
    for i in range(len(words)):
        for j in range(i, min(i + 3, len(words))):
            s, e = words[i][0], words[j][1]
            rs, re_ = n.to_raw(s, e)
            assert starts_word(raw, rs) and ends_word(raw, re_)
            assert normalize(raw[rs:re_]).text == n.text[s:e]


@settings(max_examples=300, deadline=None)
@given(raw_texts, st.booleans())
def test_raw_words_and_normalised_words_correspond_one_to_one(raw, fold):
    n = normalize(raw, fold_letters=fold)
    norm_words = word_spans(n.text)
    raw_words = [(s, e) for s, e in word_spans(raw) if any(not _deleted(c) for c in raw[s:e])]
    assert len(raw_words) == len(norm_words)
    for (rs, re_), (s, e) in zip(raw_words, norm_words):
        # the normalised positions that come from this raw word are exactly one normalised word
        inside = [k for k, r in enumerate(n.raw_index) if rs <= r < re_]
        assert (inside[0], inside[-1] + 1) == (s, e)
        assert n.to_raw(s, e) == (rs, re_)


@settings(max_examples=200, deadline=None)
@given(raw_texts)
def test_normalize_is_idempotent_up_to_the_map(raw):
    n = normalize(raw)
    assert normalize(n.text).text == n.text


def test_tatweel_is_removed_with_an_exact_raw_span():
    raw = "قتل عناصر القــوات، أمس"
    n = normalize(raw)
    assert n.text == "قتل عناصر القوات، أمس"
    s = n.text.index("القوات")
    rs, re_ = n.to_raw(s, s + len("القوات"))
    assert raw[rs:re_] == "القــوات"
    assert normalize("القــوات").text == "القوات"


def test_arabic_indic_and_persian_digits_become_ascii():
    assert normalize("٣٧").text == "37"
    assert normalize("۳۷").text == "37"
    assert normalize("قتل ٣٧ شخصا و۱۲ آخرين").text == "قتل 37 شخصا و12 آخرين"
    n = normalize("لـ٤٠ عنصرا")
    assert n.text == "ل40 عنصرا"
    assert n.to_raw(0, 3) == (0, 4)


def test_arabic_separators_become_ascii():
    assert normalize("١٬٢٠٠ و٣٫٥").text == "1,200 و3.5"
    assert normalize("إدلب، حلب").text == "إدلب، حلب"  # the Arabic comma stays


def test_trailing_diacritics_stay_in_the_raw_span():
    raw = "أصيب مدنيٌّ، وقُتِلَ طفلٌ."
    n = normalize(raw)
    assert n.text == "أصيب مدني، وقتل طفل."
    for norm_word, raw_word in [("مدني", "مدنيٌّ"), ("وقتل", "وقُتِلَ"), ("طفل", "طفلٌ")]:
        s = n.text.index(norm_word)
        rs, re_ = n.to_raw(s, s + len(norm_word))
        assert raw[rs:re_] == raw_word


def test_leading_mark_after_punctuation_stays_in_the_raw_span():
    raw = 'لـ"ًداعش"'
    n = normalize(raw)
    assert n.text == 'ل"داعش"'
    rs, re_ = n.to_raw(2, 6)
    assert raw[rs:re_] == "ًداعش"
    assert starts_word(raw, rs) and ends_word(raw, re_)


def test_odd_spaces_become_plain_spaces():
    raw = "ريف\u00a0إدلب\u202fالجنوبي\u200fأمس\u200b.\u200eحلب\tغزة"
    n = normalize(raw)
    assert n.text == "ريف إدلب الجنوبي أمس . حلب غزة"
    assert len(n.text) == len(raw) and n.raw_index == list(range(len(raw)))
    assert normalize("سطر\nسطر").text == "سطر\nسطر"


def test_fold_letters_is_one_to_one():
    raw = "أحمد إلى آخر ٱلله مستشفى"
    n = normalize(raw, fold_letters=True)
    assert n.text == "احمد الي اخر الله مستشفي"
    assert len(n.text) == len(raw) and n.raw_index == list(range(len(raw)))
    assert normalize(raw).text == raw  # no folding by default
    assert normalize("ؤ ئ ة", fold_letters=True).text == "ؤ ئ ة"


def test_empty_and_deleted_only():
    n = normalize("")
    assert (n.text, n.raw_index) == ("", [])
    n = normalize("ـــ ًٌ")
    assert n.text == " "
    assert n.raw_index == [3]
    assert n.to_raw(0, 0) == (3, 3)
    assert n.to_raw(1, 1) == (len("ـــ ًٌ"), len("ـــ ًٌ"))
