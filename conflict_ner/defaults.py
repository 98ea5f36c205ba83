"""Where the built-in default model lives, and how to load any model folder or Hub id."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).parent / "default_model"
# Documented default for users with Hub access: an AraBERT base fine-tuned with configs/arabert.yaml.
HUB_BASE_ENCODER = "aubmindlab/bert-base-arabertv02"


def default_model() -> str:
    """The built-in model folder (or $CONFLICT_NER_MODEL)."""
    env = os.environ.get("CONFLICT_NER_MODEL")
    if env:
        return env
    if not (DEFAULT_MODEL_DIR / "config.json").is_file():
        raise FileNotFoundError(
            f"the built-in model is missing at {DEFAULT_MODEL_DIR}; pass --model FOLDER or set CONFLICT_NER_MODEL"
        )
    return str(DEFAULT_MODEL_DIR)


def load_pipeline(model: str | None = None, device: str | int | None = None, compute_dtype: str | None = None, **kwargs):
    """`pipeline("conflict-extraction")` on a folder or Hub id (default: the built-in model)."""
    from transformers import pipeline

    import conflict_ner  # noqa: F401  (registers the task)

    return pipeline("conflict-extraction", model=model or default_model(), device=device, compute_dtype=compute_dtype, **kwargs)
