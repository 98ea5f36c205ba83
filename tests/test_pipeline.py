"""`pipeline("conflict-extraction")` on tiny random models: schema, offsets, windows, batching, remote code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from tiny import tiny_model, tiny_tokenizer
from transformers import pipeline

import conflict_ner  # noqa: F401
from conflict_ner.inference import Extractor, _DocState
from conflict_ner.text.words import ends_word, starts_word

TEXTS = [
    "قُتِلَ 12 عنصرا من قوات النظام في ريف إدلب الجنوبي أمسِ.",
    "أعلنت القــوات\u00a0الحكومية مقتل ٣٧ مسلحا من «الشباب» في مدينة باردهير.",
    "Reuters reported 40 dead in Kabul on Monday.",
    "وأصيب ثلاثة مدنيين، بينهم طفلان، في قصف على حلب (شمال).",
]


@pytest.fixture(scope="module")
def pipe(peaky_folder):
    return pipeline("conflict-extraction", model=str(peaky_folder))


def test_output_schema_is_complete_and_json_serialisable(pipe):
    res = pipe(TEXTS[0])
    assert set(res) == {"entities", "relations", "casualties"}
    json.dumps(res, ensure_ascii=False)
    assert res["entities"], "the peaky random model tags something in every text"
    for e in res["entities"]:
        assert {"label", "text", "start", "end", "score"} <= set(e)
        assert 0.0 <= e["score"] <= 1.0
        if e["label"] == "COUNT":
            assert {"value", "approximate", "qualifier", "outcome", "outcome_score"} <= set(e)
    for r in res["relations"]:
        assert res["entities"][r["count"]]["label"] == "COUNT" and res["entities"][r["actor"]]["label"] == "ACTOR"
    assert len(res["casualties"]) == sum(e["label"] == "COUNT" for e in res["entities"])


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_index_the_raw_string_exactly(pipe, text):
    for e in pipe(text)["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]
        assert starts_word(text, e["start"]) and ends_word(text, e["end"]), e


def test_diacritics_and_tatweel_stay_inside_the_raw_span():
    """A span decoded on normalised text covers the marks of its raw words."""
    tok = tiny_tokenizer()
    eng = Extractor(tiny_model(tok), tok)
    text = "قُتِلَ القــوات"
    enc = eng.encode(text)
    assert enc.norm.text == "قتل القوات"
    assert enc.unit_to_raw(0, 1) == (0, 6) and enc.unit_to_raw(1, 2) == (7, 15)


def test_batching_gives_the_same_result_as_one_by_one(pipe):
    together = pipe(TEXTS * 2, batch_size=3)
    alone = [pipe(t, batch_size=1) for t in TEXTS * 2]
    for a, b in zip(together, alone):
        assert [(e["label"], e["start"], e["end"]) for e in a["entities"]] == [(e["label"], e["start"], e["end"]) for e in b["entities"]]
        assert [(r["count"], r["actor"]) for r in a["relations"]] == [(r["count"], r["actor"]) for r in b["relations"]]
        for x, y in zip(a["entities"], b["entities"]):
            assert x["score"] == pytest.approx(y["score"], abs=1e-3)


def test_long_text_is_windowed_and_merged_without_overlaps(tiny_short_folder):
    pipe = pipeline("conflict-extraction", model=str(tiny_short_folder))
    text = " ".join(TEXTS * 15)
    eng = pipe.engine()
    enc = eng.encode(text)
    assert len(enc.windows) > 5
    owned = [u for w in enc.windows for u in range(w.own_start, w.own_end)]
    assert owned == list(range(len(enc.units)))  # every unit owned once, in order
    res = pipe(text)
    spans = [(e["start"], e["end"]) for e in res["entities"]]
    assert spans == sorted(spans)
    assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:]))
    assert all(text[e["start"] : e["end"]] == e["text"] for e in res["entities"])


def test_an_entity_across_a_window_edge_is_merged_into_one(tiny_folder):
    """regression: window merging must stitch tags before decoding spans."""
    tok = tiny_tokenizer()
    eng = Extractor(tiny_model(tok), tok)
    enc = eng.encode("قوات سوريا الديمقراطية هاجمت")
    state = _DocState(enc)

    class W:  # two windows owning units [0, 2) and [2, 4)
        def __init__(self, a, b):
            from conflict_ner.text.windows import Window

            self.window = Window(0, 4, a, b)

    tag2id = {t: int(i) for i, t in eng.model.config.id2label.items()}

    def dist(tags, p):  # each unit: p on its tag, the rest spread evenly
        n = len(tag2id)
        return [[p if k == tag2id[t] else (1 - p) / (n - 1) for k in range(n)] for t in tags]

    state.take(W(0, 2), dist(["B-ACTOR", "I-ACTOR", "O", "O"], 0.9))
    state.take(W(2, 4), dist(["I-ACTOR", "I-ACTOR", "I-ACTOR", "O"], 0.8))
    res = state.finish(eng.model.config)
    assert [(e["label"], e["text"]) for e in res["entities"]] == [("ACTOR", "قوات سوريا الديمقراطية")]


@pytest.mark.parametrize("text", ["", "   \n\t\u00a0"])
def test_empty_or_blank_text_gives_an_empty_result(pipe, text):
    assert pipe(text) == {"entities": [], "relations": [], "casualties": []}


@pytest.mark.parametrize("bad", [None, b"bytes", 12, 3.5])
def test_non_text_input_raises_type_error_naming_the_type(pipe, bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        pipe(bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        pipe(["ok", bad])


def test_remote_code_works_where_the_package_is_not_importable(peaky_folder, tmp_path, pipe):
    expected = pipe(TEXTS[1])
    script = textwrap.dedent(f"""
        import json, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "conflict_ner" or name.startswith("conflict_ner."):
                    raise ImportError("conflict_ner is blocked in this test")
        sys.meta_path.insert(0, Block())
        from transformers import pipeline
        p = pipeline(model={str(peaky_folder)!r}, trust_remote_code=True)
        assert type(p).__module__.startswith("transformers_modules"), type(p).__module__
        print(json.dumps(p({TEXTS[1]!r}), ensure_ascii=False))
    """)
    env = {**os.environ, "HF_MODULES_CACHE": str(tmp_path / "modules"), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert [(e["label"], e["start"], e["end"]) for e in got["entities"]] == [(e["label"], e["start"], e["end"]) for e in expected["entities"]]
    assert got["relations"] == expected["relations"]
