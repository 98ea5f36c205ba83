"""Bad training configs stop before any training, with a message that names the problem."""

from __future__ import annotations

import pytest

from conflict_ner.training.args import ConfigError, CorpusSpec, load_config
from conflict_ner.training.data import load_mixture


def write(tmp_path, text: str):
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_key_is_named(tmp_path):
    p = write(tmp_path, "base_model: x\nlearning_rat: 1\nstages: [{corpora: [conflict]}]\n")
    with pytest.raises(ConfigError, match="unknown key.*learning_rat"):
        load_config(p)


def test_unknown_key_inside_a_stage_is_named_with_its_place(tmp_path):
    p = write(tmp_path, "stages:\n  - corpora: [conflict]\n    epoch: 3\n")
    with pytest.raises(ConfigError, match=r"stages\[0\].*epoch"):
        load_config(p)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_no_stages_or_no_corpora(tmp_path):
    with pytest.raises(ConfigError, match="no 'stages'"):
        load_config(write(tmp_path, "seed: 1\n"))
    with pytest.raises(ConfigError, match="lists no corpora"):
        load_config(write(tmp_path, "stages: [{name: s, epochs: 1}]\n"))


def test_unknown_corpus_is_named():
    with pytest.raises(ConfigError, match="no_such_corpus"):
        load_mixture([CorpusSpec("no_such_corpus")], None, 0)


def test_missing_corpus_file_names_the_path(tmp_path):
    with pytest.raises(ConfigError, match=str(tmp_path)):
        load_mixture([CorpusSpec("anercorp")], str(tmp_path), 0)


def test_label_outside_the_schema_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("CONFLICT_NER_DATA", raising=False)
    (tmp_path / "anercorp").mkdir()
    (tmp_path / "anercorp" / "train.txt").write_text("قتل O\nالجيش B-ORG\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="FOO"):
        load_mixture([CorpusSpec("anercorp", label_map={"ORG": "FOO", "LOC": "O", "PERS": "O", "MISC": "O"})], str(tmp_path), 0)


def test_empty_training_set_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("CONFLICT_NER_DATA", raising=False)
    (tmp_path / "anercorp").mkdir()
    (tmp_path / "anercorp" / "train.txt").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="empty"):
        load_mixture([CorpusSpec("anercorp")], str(tmp_path), 0)


def test_evaluation_only_corpus_cannot_be_trained_on():
    with pytest.raises(ConfigError, match="evaluation"):
        load_mixture([CorpusSpec("conflict_real_dev", split="dev")], None, 0)
