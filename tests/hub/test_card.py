"""The model card: front matter and model-index from the evaluation JSON, every number from it."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from huggingface_hub import ModelCard

from conflict_ner.cli.main import main
from conflict_ner.document import Document, Entity, Relation
from conflict_ner.evaluation.evaluate import evaluate
from conflict_ner.evaluation.report import write_json
from conflict_ner.hub import card as card_mod

TEXT = "قتل 12 عنصرا من قوات النظام في ريف إدلب أمس. وأصيب ثلاثة مدنيين في حلب."


def docs() -> list[Document]:
    def at(s):
        i = TEXT.index(s)
        return i, i + len(s)

    ents = [Entity(0, "COUNT", *at("12"), "killed"), Entity(1, "ACTOR", *at("قوات النظام")),
            Entity(2, "LOCATION", *at("ريف إدلب")), Entity(3, "DATE", *at("أمس")),
            Entity(4, "COUNT", *at("ثلاثة"), "wounded"), Entity(5, "ACTOR", *at("مدنيين")), Entity(6, "LOCATION", *at("حلب"))]
    return [Document("c1", TEXT, ents, [Relation(0, 0, 1), Relation(1, 4, 5)])]


@pytest.fixture(scope="module")
def result(tiny_folder) -> dict:
    return evaluate(str(tiny_folder), docs(), batch_size=4, compute_dtype="fp32", data_name="conflict_real_dev:dev")


@pytest.fixture
def run_dir(tiny_folder, tmp_path) -> Path:
    """RUN/config.yaml + RUN/model, as `conflict-ner train` leaves them."""
    shutil.copytree(tiny_folder, tmp_path / "run" / "model")
    cfg = {"base_model": "e5-small-offline", "output_dir": "runs/x",
           "stages": [{"name": "general", "corpora": [{"name": "anercorp", "split": "train"}, {"name": "wojood", "weight": 0.5}],
                       "epochs": 2.0, "learning_rate": 5e-05},
                      {"name": "conflict", "corpora": [{"name": "conflict", "split": "train"}, {"name": "anercorp"}],
                       "epochs": 3.0, "learning_rate": 3e-05}],
           "dev": [{"name": "conflict", "split": "dev"}]}
    (tmp_path / "run" / "config.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return tmp_path / "run"


def write_eval(result: dict, path: Path) -> Path:
    return write_json(result, path)


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_card_front_matter_model_index_and_sections(run_dir, result, tmp_path):
    ev = write_eval(result, tmp_path / "eval.json")
    assert main(["card", str(run_dir / "model"), "--eval", str(ev), "--model-id", "me/conflict-ner"]) == 0
    readme = (run_dir / "model" / "README.md").read_text(encoding="utf-8")
    meta = front_matter(readme)
    assert meta["language"] == "ar" and meta["license"] == "mit" and meta["library_name"] == "transformers"
    assert meta["pipeline_tag"] == "token-classification"
    assert meta["base_model"] == "intfloat/multilingual-e5-small"  # the offline base's Hub id
    assert meta["datasets"] == ["anercorp", "wojood", "conflict"]
    assert "arabic" in meta["tags"] and "conflict-ner" in meta["tags"]

    card = ModelCard.load(run_dir / "model" / "README.md")
    assert card.data.model_name == "conflict-ner"
    by_name = {e.metric_name: e for e in card.data.eval_results}
    assert by_name["Entity micro F1 (exact spans)"].metric_value == result["entities"]["char"]["micro"]["f1"]
    assert by_name["Entity micro F1 (seqeval strict)"].metric_value == result["entities"]["seqeval"]["strict"]["micro"]["f1"]
    assert by_name["COUNT F1 (exact spans)"].metric_value == result["entities"]["char"]["per_label"]["COUNT"]["f1"]
    assert "PERSON F1 (exact spans)" not in by_name  # no gold PERSON: no score to claim
    assert by_name["Rel+ F1 (end to end, by mention)"].metric_value == result["relations"]["rel_plus"]["by_mention"]["f1"]
    assert by_name["Rel F1 (end to end, by side)"].metric_value == result["relations"]["rel_plus"]["by_side"]["f1"]
    assert by_name["Rel F1 (given gold entities, by side)"].metric_value == result["relations"]["rel"]["by_side"]["f1"]
    assert "COUNT value accuracy (exact COUNTs)" not in by_name  # not measured on this data
    e = by_name["Entity micro F1 (exact spans)"]
    assert (e.task_type, e.dataset_type, e.dataset_name, e.dataset_split) == (
        "token-classification", "conflict_real_dev", "conflict_real_dev:dev", "dev")

    for heading in ("## Usage", "## Evaluation", "## Training data", "## Labelling standard", "## Known limits",
                    "## Intended uses", "## Out-of-scope uses"):
        assert heading in readme
    assert "Not for targeting or identifying people for harm" in readme
    assert 'pipeline("conflict-extraction", model="me/conflict-ner")' in readme
    assert "`anercorp` (train)" in readme and "`wojood` (train, weight 0.5)" in readme
    assert result["counts"]["value_note"] in readme
    assert "{{" not in readme


def numbers(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text))


def json_numbers(obj) -> set[str]:
    out: set[str] = set()
    if isinstance(obj, dict):
        for v in obj.values():
            out |= json_numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            out |= json_numbers(v)
    elif isinstance(obj, bool) or obj is None:
        pass
    elif isinstance(obj, float):
        out |= {f"{obj:.4f}", str(obj), f"{obj:g}"}
    elif isinstance(obj, int):
        out.add(str(obj))
    elif isinstance(obj, str):
        out |= numbers(obj)
    return out


def test_every_number_of_the_evaluation_comes_from_the_json(tiny_folder, result, tmp_path):
    # Move every score: the card must follow, and hold no number the JSON lacks.
    r = copy.deepcopy(result)
    r["entities"]["char"]["micro"]["f1"] = 0.8123
    r["entities"]["char"]["per_label"]["ACTOR"]["f1"] = 0.6543
    r["relations"]["rel_plus"]["by_mention"]["f1"] = 0.7071
    r["meta"]["n_docs"] = 4321
    ev = write_eval(r, tmp_path / "eval.json")
    out = tmp_path / "card.md"
    assert main(["card", str(tiny_folder), "--eval", f"realdev={ev}", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    body = text.split("## Evaluation", 1)[1].split("## Training data", 1)[0]
    limits = text.split("## Known limits", 1)[1].split("## Intended uses", 1)[0]
    for needle in ("0.8123", "0.6543", "0.7071", "4321"):
        assert needle in body
    assert "0.7071" in limits and "4321 documents" in limits
    allowed = json_numbers(r) | {"0"}
    stray = {n for n in numbers(body) | numbers(limits) if n not in allowed}
    assert not stray, f"numbers in the card that the JSON does not hold: {stray}"
    card = ModelCard.load(out)
    assert {e.metric_value for e in card.data.eval_results} >= {0.8123, 0.7071}
    assert {e.dataset_name for e in card.data.eval_results} == {"realdev"}
    assert not (Path(tiny_folder) / "README.md").exists()  # --output: the folder is left alone


def test_the_template_types_no_score():
    template = card_mod.TEMPLATE.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", template, flags=re.S)  # the usage example's text may hold digits
    assert not re.search(r"(?<![A-Za-z])\d", prose)  # (IOB2 is a name, not a number)


def test_several_evaluations_and_their_names(tiny_folder, result, tmp_path):
    a = write_eval(result, tmp_path / "a.json")
    other = copy.deepcopy(result)
    other["meta"]["data"] = "/data/shared/conflict/dev.jsonl"
    b = write_eval(other, tmp_path / "b.json")
    evals = card_mod.load_evals([str(a), f"synthetic-dev={b}", str(b)])
    assert [n for n, _ in evals] == ["conflict_real_dev:dev", "synthetic-dev", "conflict-dev"]
    card = card_mod.build_card(tiny_folder, evals, model_name="m")
    assert {e.dataset_name for e in card.data.eval_results} == {"conflict_real_dev:dev", "synthetic-dev", "conflict-dev"}
    assert card.data.base_model is None and card.data.datasets is None  # no training config found
    assert "No training configuration was found" in str(card)
    with pytest.raises(card_mod.CardError, match="share a name"):
        card_mod.load_evals([str(a), str(a)])


def test_card_errors(tiny_folder, result, tmp_path, capsys):
    assert main(["card", str(tiny_folder)]) == 1
    assert "at least one --eval" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"entities": {}}), encoding="utf-8")
    assert main(["card", str(tiny_folder), "--eval", str(bad)]) == 1
    assert "not an evaluation result" in capsys.readouterr().err
    good = write_eval(result, tmp_path / "good.json")
    assert main(["card", str(tmp_path), "--eval", str(good)]) == 1
    assert "not a model folder" in capsys.readouterr().err
    assert main(["card", str(tiny_folder), "--eval", str(tmp_path / "missing.json")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_targets_are_read_against_the_evaluations(tiny_folder, result, tmp_path):
    own = write_eval(result, tmp_path / "own.json")
    other = copy.deepcopy(result)
    other["entities"]["char"]["micro"]["f1"] = 0.6
    bench = write_eval(other, tmp_path / "bench.json")
    f1 = result["entities"]["char"]["micro"]["f1"]
    targets = tmp_path / "targets.yaml"
    targets.write_text(yaml.safe_dump([
        {"eval": "dev", "metric": "entity_f1", "goal": f1 + 0.1, "anchor": "project target"},
        {"eval": "dev", "metric": "entity_f1", "goal": f1},
        {"eval": "dev", "metric": "value_accuracy", "goal": 0.95},
        {"file": str(bench), "label": "other model", "metric": "entity_f1", "goal": 0.5, "anchor": "a paper"},
    ]), encoding="utf-8")
    evals = card_mod.load_evals([f"dev={own}"])
    text = str(card_mod.build_card(tiny_folder, evals, model_name="m", targets=targets))
    section = text[text.index("### Targets"):].split("\n\n")[1].splitlines()
    assert section[2].startswith("| dev | `entity_f1` |") and "missed by 0.100" in section[2] and "project target" in section[2]
    assert "| met |" in section[3]
    assert ("n/a | not measured" in section[4]) == (result["counts"]["value_accuracy"] is None)
    assert section[5].startswith("| other model |") and "| 0.6000 |" in section[5] and "| met | a paper |" in section[5]
    assert "other model" not in {e.dataset_name for e in card_mod.build_card(tiny_folder, evals, targets=targets).data.eval_results}
    for bad, message in [([{"eval": "nope", "metric": "entity_f1", "goal": 1}], "not among the --eval names"),
                         ([{"eval": "dev", "metric": "nope", "goal": 1}], "unknown metric"),
                         ([{"eval": "dev", "goal": 1}], "needs metric, goal")]:
        targets.write_text(yaml.safe_dump(bad), encoding="utf-8")
        with pytest.raises(card_mod.CardError, match=message):
            card_mod.build_card(tiny_folder, evals, targets=targets)


def test_the_decoding_section_reads_the_folder_config_and_limits_are_added(tiny_folder, result, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(tiny_folder, folder)
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    cfg.update({"tag_decoder": "argmax", "relation_threshold": 0.42, "relation_extra_threshold": 0.77, "relation_rules": False})
    (folder / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    evals = card_mod.load_evals([f"dev={write_eval(result, tmp_path / 'own.json')}"])
    text = str(card_mod.build_card(folder, evals, model_name="m", limits=["rules were read off the dev errors"]))
    section = text[text.index("## Decoding"):text.index("## Evaluation")]
    assert "`argmax`" in section and "0.42" in section and "0.77" in section
    assert "(`relation_rules`): off" in section and "(`share_headline_sides`): on" in section
    limits = text[text.index("## Known limits"):text.index("## Intended uses")]
    assert "- rules were read off the dev errors" in limits
