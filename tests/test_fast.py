"""make_fast and compute_dtype="int8": dynamic int8 agrees with fp32 on a tiny model with large margins."""

from __future__ import annotations

import pytest
import torch
from tiny import tiny_model, tiny_tokenizer
from torch import nn
from transformers import pipeline

import conflict_ner  # noqa: F401  (registers the task)
from conflict_ner import fast
from conflict_ner.hub.folder import save_model_folder
from conflict_ner.inference import Extractor, resolve_dtype
from conflict_ner.onnx.export import ExportGraph, example_inputs

TEXTS = [
    "قُتِلَ 12 عنصرا من قوات النظام في ريف إدلب الجنوبي أمسِ.",
    "أعلنت القوات الحكومية مقتل ٣٧ مسلحا من «الشباب» في مدينة باردهير.",
    "Reuters reported 40 dead in Kabul on Monday.",
]
# int8 outputs stay within INT8_REL_TOL * max(1, max |fp32 output|) of fp32 (measured: ~2% of the
# largest tag logit on the x60 model; the unscaled outcome logits move by ~5e-4).
INT8_REL_TOL = 0.05


def peaky(seed: int = 1):
    """As tests/test_pipeline.py's fixture: large margins, so quantization noise flips nothing."""
    tok = tiny_tokenizer()
    model = tiny_model(tok, seed=seed).eval()
    with torch.no_grad():
        model.classifier.weight.mul_(60)
        model.relation_head.mlp[-1].weight.mul_(60)
    return model, tok


@pytest.fixture(scope="module")
def peaky_model():
    return peaky()


@pytest.fixture(scope="module")
def peaky_folder(peaky_model, tmp_path_factory):
    model, tok = peaky_model
    return save_model_folder(model, tok, tmp_path_factory.mktemp("peaky_fast") / "m")


def entities(results):
    return [[(e["label"], e["start"], e["end"]) for e in r["entities"]] for r in results]


def test_int8_gives_the_same_entities_and_close_logits(peaky_model):
    model, tok = peaky_model
    q, desc = fast.make_fast(model, "int8")
    assert "int8" in desc and q is not model
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in q.encoder.modules())
    assert isinstance(model.classifier, nn.Linear) and type(model.classifier) is nn.Linear  # original untouched
    ref = Extractor(model, tok).extract(TEXTS)
    got = Extractor(q, tok).extract(TEXTS)
    assert entities(got) == entities(ref) and any(entities(ref))
    assert [[r["count"] for r in res["relations"]] for res in got] == [[r["count"] for r in res["relations"]] for res in ref]
    x = example_inputs(model.config, batch=3, length=32, n_spans=4, n_pairs=3, n_counts=2, seed=2)
    with torch.no_grad():
        a, b = ExportGraph(model)(*x), ExportGraph(q)(*x)
    for r, s in zip(a, b):
        assert (r - s).abs().max() <= INT8_REL_TOL * max(1.0, float(r.abs().max()))


def test_fp32_is_the_model_itself_and_bf16_wraps_it_in_autocast(peaky_model):
    model, tok = peaky_model
    same, desc = fast.make_fast(model, "fp32")
    assert same is model and "fp32" in desc
    wrapped, desc = fast.make_fast(model, "bf16")
    assert "bf16" in desc and wrapped.config is model.config
    ids = torch.tensor([[2, 5, 6, 3]])
    with torch.no_grad():
        h16 = wrapped.encoder(input_ids=ids).last_hidden_state.float()
        h32 = model.encoder(input_ids=ids).last_hidden_state
    assert not torch.equal(h16, h32) and torch.allclose(h16, h32, atol=0.1)  # ran in bf16
    res = Extractor(wrapped, tok).extract(TEXTS[:1])[0]
    assert set(res) == {"entities", "relations", "casualties"}


def test_auto_is_bf16_with_native_bf16_else_the_measured_choice(peaky_model, monkeypatch):
    model, _ = peaky_model
    assert fast.AUTO_WITHOUT_BF16 in ("int8", "fp32")
    monkeypatch.setattr(fast, "cpu_supports_bf16", lambda: True)
    assert fast.choose_backend("cpu") == "bf16" and "bf16" in fast.make_fast(model, "auto")[1]
    monkeypatch.setattr(fast, "cpu_supports_bf16", lambda: False)
    assert fast.choose_backend("cpu") == fast.AUTO_WITHOUT_BF16
    assert fast.make_fast(model, "auto")[1].startswith(fast.AUTO_WITHOUT_BF16)
    with pytest.raises(ValueError, match="backend must be one of"):
        fast.make_fast(model, "fp16")


def test_pipeline_int8_backend_is_cached_and_matches_fp32(peaky_folder):
    p32 = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="fp32")
    p8 = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="int8")
    assert p32.backend == "fp32" and p8.backend == "int8" and p8.compute_dtype == torch.float32
    ref, got = p32(TEXTS), p8(TEXTS)
    assert entities(got) == entities(ref)
    assert [set(r) for r in got] == [set(r) for r in ref]
    assert [[set(e) for e in r["entities"]] for r in got] == [[set(e) for e in r["entities"]] for r in ref]
    qmodel = p8.engine().model
    p8(TEXTS[0])
    assert p8.engine().model is qmodel and qmodel is not p8.model  # quantized once, kept
    assert type(p8.model.classifier) is nn.Linear
    p8(TEXTS[0], compute_dtype="fp32")
    assert p8.backend == "int8"  # a per-call override does not change the pipeline's own choice


def test_resolve_dtype_accepts_int8_on_cpu_only():
    assert resolve_dtype("int8", torch.device("cpu")) == torch.qint8
    with pytest.raises(ValueError, match="CPU only"):
        resolve_dtype("int8", torch.device("cuda"))
    with pytest.raises(ValueError, match="int8"):
        resolve_dtype("fp8", torch.device("cpu"))


def test_benchmark_reports_tokens_per_second_for_each_backend(peaky_model):
    model, _ = peaky_model
    speeds = fast.benchmark(model, backends=("fp32", "int8"), batch=2, length=16, reps=1)
    assert set(speeds) == {"fp32", "int8"} and all(v > 0 for v in speeds.values())
