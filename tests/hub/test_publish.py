"""Publishing: the folder checks, a dry run that loads as a model, and the real upload path run
against a stand-in Hub on 127.0.0.1 (HF_ENDPOINT pointed at it)."""

from __future__ import annotations

import base64
import json
import runpy
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conflict_ner.cli.main import main
from conflict_ner.hub import publish as pub

JUNK = ["checkpoint-10/model.safetensors", "checkpoint-10/optimizer.pt", "optimizer.pt", "scheduler.pt",
        "rng_state.pth", "trainer_state.json", "training_args.bin", "__pycache__/cn_model.cpython-311.pyc",
        "sub/__pycache__/x.pyc", "checkpoints/last.ckpt", ".git/HEAD"]


@pytest.fixture
def folder(tiny_folder, tmp_path) -> Path:
    """A publishable copy of the tiny model folder with a card, and training leftovers beside it."""
    out = tmp_path / "model"
    shutil.copytree(tiny_folder, out)
    (out / "README.md").write_text("---\nlanguage: ar\n---\n# tiny\n", encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "notes.txt").write_text("kept", encoding="utf-8")
    for rel in JUNK:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"junk")
    return out


def expected_files(folder: Path) -> list[str]:
    junk = set(JUNK)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.relative_to(folder).as_posix() not in junk)


def test_file_list_leaves_out_training_leftovers(folder):
    files = pub.files_to_upload(folder)
    assert files == expected_files(folder)
    for required in pub.REQUIRED:
        assert required in files
    assert "sub/notes.txt" in files and any(f.startswith("cn_") for f in files)
    assert not any("checkpoint" in f or "__pycache__" in f or f.endswith((".pt", ".pth", ".bin")) for f in files)


@pytest.mark.parametrize("name", list(pub.REQUIRED))
def test_refuses_a_folder_lacking_a_required_file(folder, name, capsys):
    (folder / name).unlink()
    with pytest.raises(pub.PublishError, match=name.replace(".", r"\.")):
        pub.check_folder(folder)
    assert main(["publish", str(folder), "--repo-id", "me/x", "--dry-run", str(folder.parent / "dry")]) == 1
    err = capsys.readouterr().err
    assert name in err and "lacks" in err
    assert not (folder.parent / "dry").exists()


def test_refuses_a_readme_that_is_no_model_card(folder):
    (folder / "README.md").write_text("# notes\n", encoding="utf-8")
    with pytest.raises(pub.PublishError, match="not a model card"):
        pub.check_folder(folder)


def test_refusal_names_everything_missing(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(pub.PublishError) as exc:
        pub.check_folder(tmp_path / "empty")
    for name in pub.REQUIRED:
        assert name in str(exc.value)
    with pytest.raises(pub.PublishError, match="no such folder"):
        pub.check_folder(tmp_path / "nowhere")


def test_dry_run_copies_exactly_the_upload_and_loads_as_a_model(folder, tmp_path, capsys):
    dry = tmp_path / "dry"
    assert main(["publish", str(folder), "--repo-id", "me/conflict-ner-tiny", "--dry-run", str(dry)]) == 0
    out = capsys.readouterr().out
    copied = sorted(p.relative_to(dry).as_posix() for p in dry.rglob("*") if p.is_file())
    assert copied == expected_files(folder)
    for f in copied:
        assert f"  {f}" in out
        assert (dry / f).read_bytes() == (folder / f).read_bytes()

    import transformers

    import conflict_ner  # noqa: F401  (registers the task)
    from conflict_ner.modeling.model import ConflictNerModel

    model = ConflictNerModel.from_pretrained(dry)
    assert model.config.num_labels == 11
    pipe = transformers.pipeline("conflict-extraction", model=str(dry))
    res = pipe("قتل 12 عنصرا من قوات النظام في ريف إدلب أمس")
    assert set(res) == {"entities", "relations", "casualties"}

    with pytest.raises(pub.PublishError, match="new or empty"):
        pub.dry_run(folder, dry)  # refuses to mix with an earlier run
    with pytest.raises(pub.PublishError, match="outside the model folder"):
        pub.dry_run(folder, folder / "dry")


def test_no_token_anywhere_is_a_clear_error(folder, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr("huggingface_hub.get_token", lambda: None)
    with pytest.raises(pub.PublishError, match="no Hugging Face token"):
        pub.resolve_token(None)
    assert pub.resolve_token("hf_given") == "hf_given"
    monkeypatch.setenv("HF_TOKEN", "hf_env")
    assert pub.resolve_token(None) == "hf_env"


# --------------------------------------------------------------------------- a stand-in Hub


class StandInHub(ThreadingHTTPServer):
    """Answers the requests create_repo and upload_folder make, and records them."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _reply(self, code: int, payload: dict):
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        rec = {"method": self.command, "path": path, "auth": self.headers.get("Authorization"), "raw": raw}
        self.server.requests.append(rec)
        hub = self.server.url
        if self.command == "POST" and path == "/api/repos/create":
            body = json.loads(raw)
            repo = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
            return self._reply(200, {"url": f"{hub}/{repo}", "name": repo})
        if self.command == "POST" and path == "/api/validate-yaml":  # the README's metadata
            card = json.loads(raw)["content"]
            ok = card.startswith("---\n") and "language: ar" in card
            return self._reply(200 if ok else 400, {"errors": [] if ok else [{"message": "bad metadata"}], "warnings": []})
        if self.command == "POST" and "/preupload/" in path:
            files = json.loads(raw)["files"]
            return self._reply(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                                               for f in files]})
        if self.command == "POST" and "/commit/" in path and "/forbidden/" in path:
            return self._reply(403, {"error": "You don't have the rights to create a model under this namespace"})
        if self.command == "POST" and "/commit/" in path:
            repo = path.split("/api/models/")[1].split("/commit/")[0]
            return self._reply(200, {"commitUrl": f"{hub}/{repo}/commit/{'a' * 40}", "commitOid": "a" * 40,
                                     "success": True})
        return self._reply(404, {"error": f"stand-in Hub does not know {self.command} {path}"})

    do_GET = do_POST = do_PUT = do_HEAD = _handle


@pytest.fixture
def hub(monkeypatch):
    server = StandInHub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    monkeypatch.setattr("huggingface_hub.utils.tqdm.are_progress_bars_disabled", lambda *a, **k: True, raising=False)
    yield server
    server.shutdown()
    server.server_close()


def commit_files(req: dict) -> dict[str, bytes]:
    lines = [json.loads(line) for line in req["raw"].splitlines() if line.strip()]
    assert lines[0]["key"] == "header"
    return {x["value"]["path"]: base64.b64decode(x["value"]["content"]) for x in lines[1:] if x["key"] == "file"}


def test_upload_creates_the_repo_and_commits_exactly_the_checked_files(folder, hub, capsys):
    rc = main(["publish", str(folder), "--repo-id", "me/conflict-ner-tiny", "--private", "--token", "hf_test_token"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    create = [r for r in hub.requests if r["path"] == "/api/repos/create"]
    assert len(create) == 1
    body = json.loads(create[0]["raw"])
    assert (body.get("organization"), body["name"]) == ("me", "conflict-ner-tiny"), body
    assert body.get("visibility") == "private" or body.get("private") is True, body
    assert create[0]["auth"] == "Bearer hf_test_token"

    commits = [r for r in hub.requests if r["path"] == "/api/models/me/conflict-ner-tiny/commit/main"]
    assert len(commits) == 1 and commits[0]["auth"] == "Bearer hf_test_token"
    sent = commit_files(commits[0])
    assert sorted(sent) == expected_files(folder)
    assert sent["config.json"] == (folder / "config.json").read_bytes()
    assert sent["model.safetensors"] == (folder / "model.safetensors").read_bytes()
    header = json.loads(commits[0]["raw"].splitlines()[0])["value"]
    assert header["summary"] == "Upload conflict-ner model"
    assert "me/conflict-ner-tiny" in captured.out and "commit" in captured.out
    assert [r["path"] for r in hub.requests if r["path"] == "/api/validate-yaml"]  # the card was checked


def test_upload_reads_the_token_from_the_environment(folder, hub, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    out = pub.publish(folder, "me/from-env")
    assert out["files"] == expected_files(folder)
    assert {r["auth"] for r in hub.requests} == {"Bearer hf_from_env"}
    assert any(r["path"] == "/api/models/me/from-env/commit/main" for r in hub.requests)


def test_a_repo_id_without_namespace_is_refused(folder, hub, capsys):
    assert main(["publish", str(folder), "--repo-id", "no-namespace", "--token", "t"]) == 1
    assert "NAMESPACE/NAME" in capsys.readouterr().err
    assert hub.requests == []


def test_hub_errors_are_reported_not_raised(folder, hub, capsys):
    assert main(["publish", str(folder), "--repo-id", "forbidden/x", "--token", "t"]) == 1
    err = capsys.readouterr().err
    assert "upload to forbidden/x failed" in err and "403" in err


def test_scripts_publish_is_the_same_command(folder, tmp_path, monkeypatch, capsys):
    script = Path(__file__).resolve().parents[2] / "scripts" / "publish.py"
    monkeypatch.setattr(sys, "argv", ["publish.py", str(folder), "--repo-id", "me/x", "--dry-run", str(tmp_path / "d")])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(script), run_name="__main__")
    assert exc.value.code == 0
    assert (tmp_path / "d" / "model.safetensors").is_file()
