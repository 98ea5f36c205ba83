"""The user cache: $CONFLICT_NER_CACHE, else ~/.cache/conflict-ner (the converted base encoder,
ONNX graphs exported for the onnx backends)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    root = os.environ.get("CONFLICT_NER_CACHE")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "conflict-ner"
