"""ONNX export of the whole model on tiny random models: ONNX Runtime agrees with PyTorch fp32."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from safetensors.torch import load_file, save_file  # noqa: E402
from tiny import tiny_tokenizer  # noqa: E402
from transformers import AutoTokenizer, BertConfig, BertForTokenClassification  # noqa: E402

from conflict_ner.cli.main import main  # noqa: E402
from conflict_ner.collate import collate_windows  # noqa: E402
from conflict_ner.features import add_span_targets, special_tokens, window_inputs  # noqa: E402
from conflict_ner.inference import Extractor  # noqa: E402
from conflict_ner.onnx import INPUT_NAMES, ExportGraph, UnsupportedModelError, export_onnx  # noqa: E402
from conflict_ner.onnx.export import INT8_FILE, example_inputs, load_for_export, load_session, run_session  # noqa: E402

TEXTS = [
    "قتل 12 عنصرا من قوات النظام في ريف إدلب الجنوبي أمس، وأصيب 3 مدنيين.",
    "Reuters reported 40 dead in Kabul on Monday.",
    "قالت وزارة الصحة إن 37 فلسطينيا قتلوا في غزة",
]


@pytest.fixture(scope="module")
def exported(tiny_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("onnx") / "tiny"
    return export_onnx(tiny_folder, out, quantize=True)


def real_inputs(folder):
    """collate_windows tensors for real texts: spans, pairs and counts as the engine builds them."""
    model = load_for_export(folder)
    tok = AutoTokenizer.from_pretrained(str(folder))
    eng = Extractor(model, tok)
    prefix, suffix = special_tokens(tok)
    wins = []
    for i, t in enumerate(TEXTS):
        enc = eng.encode(t)
        for wi in window_inputs(enc, prefix, suffix, i):
            n = wi.window.end - wi.window.start
            spans = [(wi.window.start + a, wi.window.start + a + 1, lab, None)
                     for a, lab in zip(range(0, n, 2), ["COUNT", "ACTOR", "ACTOR", "COUNT", "ACTOR"])]
            add_span_targets(wi, enc, spans, None, model.config.relation_window, own_only=True)
            wins.append(wi)
    t = collate_windows(wins, eng.pad_id)
    assert t["pairs"].size(1) > 0 and t["count_index"].size(1) > 0
    return model, tuple(t[k] for k in INPUT_NAMES)


def compare(folder, onnx_path):
    model, x = real_inputs(folder)
    with torch.no_grad():
        logits, pair_logits, outcome_logits = ExportGraph(model).eval()(*x)
    got = run_session(load_session(onnx_path), x)
    return (logits, pair_logits, outcome_logits), got, x


def test_onnx_runtime_agrees_with_pytorch_fp32(tiny_folder, exported):
    (logits, pair_logits, outcome_logits), got, x = compare(tiny_folder, exported)
    mask = x[1].bool()
    assert got["logits"].shape == tuple(logits.shape)
    assert float((logits - torch.from_numpy(got["logits"])).abs().max()) < 1e-4
    assert torch.equal(logits.argmax(-1)[mask], torch.from_numpy(got["logits"]).argmax(-1)[mask])
    assert float((pair_logits - torch.from_numpy(got["pair_logits"])).abs().max()) < 1e-4
    assert torch.equal(pair_logits.sigmoid() > 0.5, torch.from_numpy(got["pair_logits"]).sigmoid() > 0.5)
    assert float((outcome_logits - torch.from_numpy(got["outcome_logits"])).abs().max()) < 1e-4


def test_int8_onnx_stays_close_to_fp32_on_a_model_with_large_margins(peaky_folder, tmp_path):
    """ORT dynamic int8: logits within 5% of their range (measured 1.2-2.3%), >= 90% of token tags
    (measured 95-100%, like torch int8: a random model has near-ties that any rounding flips) and
    every pair decision unchanged."""
    path = export_onnx(peaky_folder, tmp_path / "peaky", quantize=True)
    (logits, pair_logits, _), got, x = compare(peaky_folder, path.with_name(INT8_FILE))
    mask = x[1].bool()
    same = (logits.argmax(-1)[mask] == torch.from_numpy(got["logits"]).argmax(-1)[mask]).float().mean()
    assert same >= 0.90
    assert torch.equal(pair_logits > 0, torch.from_numpy(got["pair_logits"]) > 0)
    assert float((logits - torch.from_numpy(got["logits"])).abs().max()) <= 0.05 * float(logits.abs().max())


@pytest.mark.parametrize("name", ["model.onnx", INT8_FILE])
def test_empty_spans_pairs_and_counts_give_empty_head_outputs(tiny_folder, exported, name):
    model = load_for_export(tiny_folder)
    ids, mask, *_ = example_inputs(model.config, batch=2, length=12)
    full = run_session(load_session(exported.with_name(name)), example_inputs(model.config, batch=2, length=12))
    empty = (ids, mask, torch.zeros(2, 0, 2, dtype=torch.long), torch.zeros(2, 0, 2, dtype=torch.long),
             torch.zeros(2, 0, 3, dtype=torch.long), torch.zeros(2, 0, dtype=torch.long))
    got = run_session(load_session(exported.with_name(name)), empty)
    assert got["pair_logits"].shape == (2, 0) and got["outcome_logits"].shape == (2, 0, len(model.config.outcome_labels))
    assert abs(got["logits"] - full["logits"]).max() < 1e-5  # the span inputs never touch the tag logits


def test_export_writes_tokenizer_config_and_sizes(tiny_folder, exported):
    out = exported.parent
    assert json.loads((out / "config.json").read_text()) == json.loads((tiny_folder / "config.json").read_text())
    tok = AutoTokenizer.from_pretrained(str(out))
    assert tok("قتل 12")["input_ids"] == AutoTokenizer.from_pretrained(str(tiny_folder))("قتل 12")["input_ids"]
    meta = json.loads((out / "onnx.json").read_text())
    assert meta["files"]["model.onnx"] == exported.stat().st_size > 0
    assert meta["files"][INT8_FILE] == (out / INT8_FILE).stat().st_size > 0
    assert meta["max_abs_diff"]["model.onnx"] < 1e-4 and meta["inputs"] == INPUT_NAMES


def test_unsupported_encoder_type_is_named(tiny_folder, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(tiny_folder, bad)
    cfg = json.loads((bad / "config.json").read_text())
    cfg["model_type"] = cfg["encoder_model_type"] = "distilbert"
    (bad / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(UnsupportedModelError, match="encoder type 'distilbert' is not supported"):
        export_onnx(bad, tmp_path / "out")


def test_plain_token_classifier_without_heads_is_refused(tmp_path):
    tok = tiny_tokenizer()
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, num_labels=11)
    folder = tmp_path / "plain"
    BertForTokenClassification(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    with pytest.raises(UnsupportedModelError, match="no conflict-ner heads.*relation_hidden_size"):
        export_onnx(folder, tmp_path / "out")


def test_missing_head_weights_are_named(tiny_folder, tmp_path):
    bad = tmp_path / "nohead"
    shutil.copytree(tiny_folder, bad)
    weights = load_file(bad / "model.safetensors")
    save_file({k: v for k, v in weights.items() if not k.startswith("relation_head.")}, bad / "model.safetensors")
    with pytest.raises(UnsupportedModelError, match=r"head weights \(relation_head\)"):
        export_onnx(bad, tmp_path / "out")


def test_cli_writes_model_onnx_and_reports_its_size(tiny_folder, tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["export", str(tiny_folder), "--out", str(out), "--opset", "17"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert (out / "model.onnx").is_file() and not (out / INT8_FILE).exists()
    assert str(out / "model.onnx") in cap.out and "KiB" in cap.out


def test_cli_names_an_unsupported_model(tmp_path, capsys):
    code = main(["export", str(tmp_path), "--out", str(tmp_path / "o")])
    assert code == 1 and "no config.json" in capsys.readouterr().err
