"""The backends (conflict_ner/backends.py, onnx/runtime.py): int8 and ONNX Runtime agree with fp32 on a
tiny model with large margins; auto picks what the hardware and installed runtimes allow."""

from __future__ import annotations

import pytest
import torch
from tiny import tiny_model, tiny_tokenizer
from torch import nn
from transformers import pipeline

import conflict_ner  # noqa: F401  (registers the task)
from conflict_ner import backends
from conflict_ner.hub.folder import save_model_folder
from conflict_ner.inference import Extractor, resolve_dtype
from conflict_ner.onnx import runtime
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
    # Per-word tags: Viterbi settles a random model's invalid BIO runs by small sums that quantization
    # noise may tip; these tests compare backends, and the argmax margins below hold for each word.
    model.config.tag_decoder = "argmax"
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
    q = backends.load_backend(model, "int8")
    assert q is not model
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in q.encoder.modules())
    assert isinstance(model.classifier, nn.Linear) and type(model.classifier) is nn.Linear  # original untouched
    ref = Extractor(model, tok).extract(TEXTS)
    got = Extractor(q, tok).extract(TEXTS)
    assert entities(got) == entities(ref) and any(entities(ref))
    assert links(got) == links(ref)
    x = example_inputs(model.config, batch=3, length=32, n_spans=4, n_pairs=3, n_counts=2, seed=2)
    with torch.no_grad():
        a, b = ExportGraph(model)(*x), ExportGraph(q)(*x)
    for r, s in zip(a, b):
        assert (r - s).abs().max() <= INT8_REL_TOL * max(1.0, float(r.abs().max()))


def links(results):
    return [[(r["count"], r["actor"]) for r in res["relations"]] for res in results]


def test_fp32_and_bf16_run_the_model_itself_bf16_under_autocast(peaky_folder):
    p = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="bf16")
    assert p.backend == "bf16" and p.compute_dtype == torch.bfloat16 and p.engine().model is p.model
    p32 = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="fp32")
    assert p32.backend == "fp32" and p32.compute_dtype == torch.float32 and p32.engine().model is p32.model
    assert set(p(TEXTS[0])) == {"entities", "relations", "casualties"}


def test_auto_is_bf16_with_native_bf16_else_fp32(monkeypatch):
    monkeypatch.setattr(backends, "cpu_supports_bf16", lambda: True)
    assert backends.resolve_backend("auto", "cpu") == "bf16" and backends.resolve_backend(None, "cuda") == "bf16"
    monkeypatch.setattr(backends, "cpu_supports_bf16", lambda: False)
    assert backends.resolve_backend(None, "cpu") == "fp32"
    monkeypatch.setattr(backends, "onnx_available", lambda: False)
    with pytest.raises(ImportError, match="pip install"):
        backends.resolve_backend("onnx", "cpu")


def test_bad_backend_names_and_devices_are_refused():
    with pytest.raises(ValueError, match="must be one of"):
        backends.resolve_backend("fp8", "cpu")
    for name in ("int8", "onnx", "onnx-int8"):
        with pytest.raises(ValueError, match="CPU only"):
            backends.resolve_backend(name, "cuda")
    assert backends.resolve_backend(torch.bfloat16, "cpu") == "bf16" and backends.resolve_backend("float32") == "fp32"
    with pytest.raises(ValueError, match="not supported"):
        backends.resolve_backend(torch.float16, "cpu")


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


def test_onnx_backend_gives_the_fp32_results(peaky_folder):
    p32 = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="fp32")
    px = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="onnx")
    assert px.backend == "onnx" and isinstance(px.engine().model, runtime.OnnxRuntimeModel)
    ref, got = p32(TEXTS), px(TEXTS)
    assert entities(got) == entities(ref) and any(entities(ref)) and links(got) == links(ref)
    for r, g in zip(ref, got):
        for a, b in zip(r["entities"], g["entities"]):
            assert abs(a["score"] - b["score"]) <= 1e-4
    ids = torch.tensor([[2, 5, 6, 7, 3], [2, 8, 3, 1, 1]])
    mask = (ids != 1).long()
    with torch.no_grad():
        h32 = p32.model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    hx = px.engine().model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(h32, hx, atol=1e-4)


def test_onnx_int8_gives_the_same_entities_on_a_model_with_large_margins(peaky_folder):
    ref = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="fp32")(TEXTS)
    p8 = pipeline("conflict-extraction", model=str(peaky_folder), compute_dtype="onnx-int8")
    assert p8.backend == "onnx-int8" and p8.engine().model.path.name == runtime.ENCODER_INT8_FILE
    assert entities(p8(TEXTS)) == entities(ref)


def test_encoder_graph_is_exported_once_per_weights(peaky_model, monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICT_NER_ONNX_CACHE", str(tmp_path))
    model, _ = peaky_model
    calls = []
    real = runtime.export_module
    monkeypatch.setattr(runtime, "export_module", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = runtime.encoder_graph(model)
    assert runtime.encoder_graph(model) == first and len(calls) == 1
    assert first.parent.parent == tmp_path and first.parent.name == runtime.weights_key(model.encoder)
    other, _ = peaky(seed=2)
    assert runtime.weights_key(other.encoder) != runtime.weights_key(model.encoder)
    assert runtime.encoder_graph(other) != first and len(calls) == 2
    assert model.training is False and next(model.parameters()).dtype == torch.float32


def test_extractor_refuses_backends_that_need_another_model():
    assert resolve_dtype("fp32", torch.device("cpu")) == torch.float32
    assert resolve_dtype("bf16", torch.device("cpu")) == torch.bfloat16
    for name in ("int8", "onnx"):
        with pytest.raises(ValueError, match="pipeline"):
            resolve_dtype(name, torch.device("cpu"))
