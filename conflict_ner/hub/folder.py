"""Save a model folder that works three ways: `pipeline("conflict-extraction")` with the package,
`pipeline(model=folder, trust_remote_code=True)` without it, and as a plain token classifier."""

from __future__ import annotations

import re
from pathlib import Path

import conflict_ner

PACKAGE = Path(conflict_ner.__file__).parent
# The runtime modules, in import order, copied flat into the folder as cn_<name>.py.
REMOTE_MODULES = [
    "schema.py", "text/words.py", "document.py", "text/normalize.py", "text/sentences.py", "text/windows.py",
    "counts.py", "features.py", "collate.py", "text/arabic.py", "boundary_rules.py", "decoding.py", "outcome_cues.py",
    "side_rules.py", "modeling/configuration.py", "modeling/heads.py", "modeling/model.py", "cache.py", "onnx/runtime.py", "backends.py", "inference.py", "pipeline.py",
]
_REL_IMPORT = re.compile(r"^(\s*)from \.+(?:[\w.]+\.)?(\w+) import ", re.M)
TASK = "conflict-extraction"
# transformers prefers a folder's own custom pipeline over a registered task of the same name
# (and then demands trust_remote_code), so the bundled copy is filed under its own task name:
# pipeline(model=folder, trust_remote_code=True) picks it, pipeline("conflict-extraction") does not.
REMOTE_TASK = "conflict-extraction-standalone"


def write_remote_code(folder: Path) -> list[str]:
    names = []
    for rel in REMOTE_MODULES:
        src = (PACKAGE / rel).read_text(encoding="utf-8")
        src = _REL_IMPORT.sub(lambda m: f"{m.group(1)}from .cn_{m.group(2)} import ", src)
        if "import conflict_ner" in src:
            raise RuntimeError(f"{rel} imports the package; remote code must be self-contained")
        name = f"cn_{Path(rel).stem}.py"
        (folder / name).write_text(src, encoding="utf-8")
        names.append(name)
    return names


def save_model_folder(model, tokenizer, folder: str | Path, max_length: int | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cfg = model.config
    cfg.architectures = ["ConflictNerModel"]
    cfg.auto_map = {"AutoConfig": "cn_configuration.ConflictNerConfig", "AutoModel": "cn_model.ConflictNerModel"}
    cfg.custom_pipelines = {REMOTE_TASK: {"impl": "cn_pipeline.ConflictExtractionPipeline", "pt": ["AutoModel"], "tf": [], "type": "text"}}
    model.save_pretrained(folder, safe_serialization=True)
    if max_length:
        tokenizer.model_max_length = max_length
    tokenizer.save_pretrained(folder)
    write_remote_code(folder)
    return folder
