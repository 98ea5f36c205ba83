"""The shipped default model: loadable offline, small, its bundled code in step with the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflict_ner.defaults import DEFAULT_MODEL_DIR
from conflict_ner.hub.folder import write_remote_code

pytestmark = pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").is_file(), reason="no built-in model in this checkout")


def test_folder_is_at_most_70_mb():
    assert sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir()) <= 70 * 2**20


def test_bundled_remote_code_matches_the_package(tmp_path):
    names = write_remote_code(tmp_path)
    for name in names:
        assert (DEFAULT_MODEL_DIR / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(encoding="utf-8"), \
            f"{name} is stale: run conflict_ner.hub.folder.write_remote_code on the default model folder"


def test_pipeline_without_model_argument_uses_the_built_in_model_and_finds_the_sample_counts():
    from transformers import pipeline

    import conflict_ner  # noqa: F401

    text = (Path(__file__).resolve().parents[1] / "data" / "sample_article.txt").read_text(encoding="utf-8")
    out = pipeline("conflict-extraction", model=str(DEFAULT_MODEL_DIR))(text)
    values = {c["value"] for c in out["casualties"]}
    assert {14, 20} <= values  # "14 عنصرا", "٢٠ مقاتلا" in the sample article
    assert all(text[e["start"] : e["end"]] == e["text"] for e in out["entities"])
