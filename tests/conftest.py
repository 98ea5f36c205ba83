"""Shared fixtures: tiny tokenizers and model folders built once per session, the slow flag."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory):
    """The onnx backends export encoders on first use: keep the tests' graphs out of the user cache
    (os.environ, so subprocesses started by tests inherit it)."""
    path = tmp_path_factory.mktemp("onnx_cache")
    old = os.environ.get("CONFLICT_NER_ONNX_CACHE")
    os.environ["CONFLICT_NER_ONNX_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CONFLICT_NER_ONNX_CACHE", None)
    else:
        os.environ["CONFLICT_NER_ONNX_CACHE"] = old


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run tests that need real models or corpora")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: pass --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory) -> Path:
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def tiny_short_folder(tmp_path_factory) -> Path:
    """A tiny model whose window is 48 tokens, so ordinary texts need several windows."""
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny_short") / "model", max_positions=48)


@pytest.fixture(scope="session")
def peaky_folder(tmp_path_factory) -> Path:
    from tiny import save_peaky

    return save_peaky(tmp_path_factory.mktemp("peaky") / "m")
