"""Publish a model folder to the Hugging Face Hub: checked first, then create_repo + upload_folder.

A folder is refused unless it holds weights (``model.safetensors``), a tokenizer
(``tokenizer.json``), ``config.json`` and a model card (``README.md``, see ``conflict-ner
card``). Training leftovers never go up: checkpoints, optimizer and scheduler state, RNG
state, ``__pycache__``. A dry run copies exactly the files an upload would send.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import shutil
from pathlib import Path

REQUIRED: dict[str, str] = {
    "model.safetensors": "weights",
    "tokenizer.json": "tokenizer",
    "config.json": "model config",
    "README.md": "model card (write it with `conflict-ner card FOLDER --eval EVAL.json`)",
}
# Matched against every part of a file's path relative to the folder.
EXCLUDE: tuple[str, ...] = (
    "checkpoint-*", "checkpoints", "__pycache__", "*.pyc", ".git", ".cache", ".ipynb_checkpoints", ".DS_Store",
    "optimizer.pt", "optimizer.bin", "scheduler.pt", "scaler.pt", "rng_state*.pth", "trainer_state.json",
    "training_args.bin", "pytorch_model.bin.index.json.tmp", "*.tmp",
)


class PublishError(ValueError):
    pass


def excluded(rel: str) -> bool:
    return any(fnmatch.fnmatch(part, pat) for part in Path(rel).parts for pat in EXCLUDE)


def missing_files(folder: str | Path) -> list[str]:
    """'NAME (what)' for each required file the folder lacks."""
    folder = Path(folder)
    return [f"{name} ({what})" for name, what in REQUIRED.items() if not (folder / name).is_file()]


def files_to_upload(folder: str | Path) -> list[str]:
    """Relative POSIX paths of the files an upload sends, sorted."""
    folder = Path(folder)
    out = []
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(folder).as_posix()
            if not excluded(rel):
                out.append(rel)
    return sorted(out)


def check_folder(folder: str | Path) -> list[str]:
    """The files to upload; PublishError naming what is missing if the folder is not publishable."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PublishError(f"{folder}: no such folder")
    missing = missing_files(folder)
    if missing:
        raise PublishError(f"{folder} cannot be published, it lacks: {', '.join(missing)}")
    if not (folder / "README.md").read_text(encoding="utf-8", errors="replace").startswith("---\n"):
        raise PublishError(f"{folder}/README.md is not a model card (no YAML front matter); "
                           "write it with `conflict-ner card FOLDER --eval EVAL.json`")
    return files_to_upload(folder)


def dry_run(folder: str | Path, dest: str | Path) -> list[str]:
    """Copy exactly the files an upload would send into ``dest`` (new or empty); returns them."""
    files = check_folder(folder)
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PublishError(f"{dest}: the dry-run folder must be new or empty")
    if dest.resolve() == Path(folder).resolve() or Path(folder).resolve() in dest.resolve().parents:
        raise PublishError(f"{dest}: the dry-run folder must lie outside the model folder")
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(folder) / rel, target)
    return files


def resolve_token(token: str | None = None) -> str:
    """--token, else $HF_TOKEN, else the token saved by `hf auth login`."""
    if token:
        return token
    if os.environ.get("HF_TOKEN"):
        return os.environ["HF_TOKEN"]
    from huggingface_hub import get_token

    saved = get_token()
    if not saved:
        raise PublishError("no Hugging Face token: pass --token, set HF_TOKEN, or log in with `hf auth login`")
    return saved


def publish(folder: str | Path, repo_id: str, *, private: bool = False, token: str | None = None,
            endpoint: str | None = None, commit_message: str | None = None) -> dict:
    """Create the model repository (if needed) and upload the folder's files in one go.

    ``endpoint`` defaults to $HF_ENDPOINT (read at call time), else the public Hub.
    Returns {"repo_url", "commit_url", "files"}.
    """
    from huggingface_hub import HfApi

    files = check_folder(folder)
    if "/" not in repo_id:
        raise PublishError(f"--repo-id {repo_id!r}: expected NAMESPACE/NAME")
    api = HfApi(endpoint=endpoint or os.environ.get("HF_ENDPOINT") or None, token=resolve_token(token))
    repo = api.create_repo(repo_id, private=True if private else None, repo_type="model", exist_ok=True)
    commit = api.upload_folder(
        repo_id=repo_id, folder_path=str(folder), repo_type="model",
        allow_patterns=[glob.escape(f) for f in files],  # exactly the checked list, as a dry run copies it
        commit_message=commit_message or "Upload conflict-ner model",
    )
    return {"repo_url": str(repo), "commit_url": getattr(commit, "commit_url", str(commit)), "files": files}
