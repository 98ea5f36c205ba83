"""Run the stages of a TrainArgs with the transformers Trainer (accelerate underneath).

Per stage: supervised windows from the corpus mixture, length-grouped batches (padding cost
is why: unsorted batches spent 63% of compute on pads here), bf16 autocast where the CPU has
it, dev F1 after every epoch with the best epoch kept and early stopping, checkpoints that a
re-run resumes from. The run directory keeps the config, per-epoch metrics and the model.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import torch
import yaml
from transformers import AutoTokenizer, EarlyStoppingCallback, Trainer, TrainingArguments
from transformers.trainer_pt_utils import LengthGroupedSampler

from ..backends import cpu_supports_bf16
from ..collate import collate_windows
from ..features import special_tokens, tag_set
from ..hub.folder import save_model_folder
from ..inference import Extractor
from ..modeling.model import ConflictNerModel
from ..schema import ENTITY_LABELS
from .args import ConfigError, TrainArgs
from .data import build_windows, load_mixture


class _ListDataset(torch.utils.data.Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def dev_scores(model, tokenizer, docs, max_length: int, stride: int, bf16: bool) -> dict[str, float]:
    from ..evaluation.spans import entity_scores, relation_scores

    eng = Extractor(model, tokenizer, max_length=max_length, stride=stride, batch_size=16,
                    dtype=torch.bfloat16 if bf16 else torch.float32)
    was_training = model.training
    res = eng.extract([d.text for d in docs])
    model.train(was_training)
    ent = entity_scores(docs, [r["entities"] for r in res])
    out = {"f1": ent["micro"]["f1"], "precision": ent["micro"]["precision"], "recall": ent["micro"]["recall"]}
    out.update({f"f1_{k}": v["f1"] for k, v in ent["per_label"].items() if v["gold"]})
    if any(d.relations for d in docs):
        rel = relation_scores(docs, res)
        out["rel_side_f1"] = rel["by_side"]["f1"]
        out["rel_mention_f1"] = rel["by_mention"]["f1"]
    return out


class ConflictTrainer(Trainer):
    def __init__(self, *a, dev_docs=None, dev_kwargs=None, lengths=None, head_lr=1e-3, **kw):
        self.dev_docs, self.dev_kwargs, self.lengths, self.head_lr = dev_docs or [], dev_kwargs or {}, lengths, head_lr
        super().__init__(*a, **kw)

    def _get_train_sampler(self, train_dataset=None):
        return LengthGroupedSampler(self.args.train_batch_size * self.args.gradient_accumulation_steps, lengths=self.lengths)

    def create_optimizer(self, model=None):
        if self.optimizer is None:
            model = model or self.model
            heads, body = [], []
            for n, p in model.named_parameters():
                if p.requires_grad:
                    (body if n.startswith(model.encoder_attr + ".") else heads).append(p)
            self.optimizer = torch.optim.AdamW(
                [{"params": body, "lr": self.args.learning_rate}, {"params": heads, "lr": self.head_lr}],
                weight_decay=self.args.weight_decay)
        return self.optimizer

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval"):
        if not self.dev_docs:
            return {}
        scores = dev_scores(self.model, self.processing_class, self.dev_docs, **self.dev_kwargs)
        metrics = {f"{metric_key_prefix}_{k}": v for k, v in scores.items()}
        metrics["epoch"] = self.state.epoch
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


def _with_tags(model: ConflictNerModel, tag2id: dict[str, int]) -> ConflictNerModel:
    """The same encoder under a new tag head (e.g. a corpus's native labels for a benchmark)."""
    cfg = model.config
    cfg.id2label = {i: t for t, i in tag2id.items()}
    cfg.label2id = dict(tag2id)
    fresh = ConflictNerModel(cfg)
    fresh.encoder.load_state_dict(model.encoder.state_dict())
    return fresh


def _base_model_path(args: TrainArgs) -> str:
    if args.base_model == "e5-small-offline":
        from ..modeling.base_encoder import ensure_base_model

        return str(ensure_base_model())
    return args.base_model


def train(args: TrainArgs, progress: bool = True, max_stages: int | None = None) -> Path:
    """Run every stage (or the first ``max_stages``); returns the saved model folder.

    A re-run of the same config resumes each stage from its last checkpoint, so stages that
    finished are not trained again."""
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(dataclasses.asdict(args), allow_unicode=True, sort_keys=False))
    torch.manual_seed(args.seed)
    if args.init_from:
        if not Path(args.init_from, "config.json").is_file():
            raise ConfigError(f"init_from: no model folder at {args.init_from}")
        model = ConflictNerModel.from_pretrained(args.init_from)
        tokenizer = AutoTokenizer.from_pretrained(args.init_from)
    else:
        base = _base_model_path(args)
        model = ConflictNerModel.from_encoder(base)
        tokenizer = AutoTokenizer.from_pretrained(base)
    labels = list(args.labels or ENTITY_LABELS)
    tag2id = tag_set(labels)
    if not args.init_from and labels != list(ENTITY_LABELS):
        model = _with_tags(model, tag2id)
    if [model.config.id2label[i] for i in range(model.config.num_labels)] != list(tag2id):
        raise ConfigError(f"model tags {list(model.config.id2label.values())} differ from the config's labels {labels}")
    prefix, suffix = special_tokens(tokenizer)
    bf16 = cpu_supports_bf16() if args.bf16 == "auto" else bool(args.bf16)
    dev_docs = []
    if args.dev:
        from ..corpora.registry import load_corpus

        for spec in args.dev:
            dev_docs.extend(load_corpus(spec.name, spec.split, root=args.data_root).documents[: spec.limit or None])
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    history = []
    stages = args.stages[:max_stages] if max_stages else args.stages
    for k, stage in enumerate(stages):
        stage_dev = dev_docs if stage.evaluate else []
        items = load_mixture(stage.corpora, args.data_root, args.seed + k, labels)
        windows, stats = build_windows(items, tokenizer, prefix, suffix, args.max_length, args.stride,
                                       model.config.relation_window, tag2id, progress)
        if not stage.relation_loss:
            for w in windows:
                w.pair_labels = [-1] * len(w.pair_labels)
        print(f"[stage {stage.name}] {stats.documents} documents -> {stats.windows} windows, {stats.tokens} tokens; "
              f"per corpus {stats.per_corpus}; entities not placed on words: {stats.unplaced_entities}", flush=True)
        model.encoder.get_input_embeddings().weight.requires_grad = not stage.freeze_embeddings
        stage_dir = out / f"stage{k + 1}-{stage.name}"
        targs = TrainingArguments(
            output_dir=str(stage_dir), num_train_epochs=stage.epochs, per_device_train_batch_size=stage.batch_size,
            gradient_accumulation_steps=stage.gradient_accumulation_steps, learning_rate=stage.learning_rate,
            warmup_steps=stage.warmup_ratio, weight_decay=stage.weight_decay, bf16=bf16, use_cpu=not torch.cuda.is_available(),
            eval_strategy="epoch" if stage_dev else "no", save_strategy="epoch", save_total_limit=2,
            load_best_model_at_end=bool(stage_dev), metric_for_best_model="eval_f1" if stage_dev else None, greater_is_better=True,
            logging_steps=args.logging_steps, report_to=[], seed=args.seed, remove_unused_columns=False,
            disable_tqdm=not progress, save_only_model=False, dataloader_num_workers=0,
        )
        callbacks = [EarlyStoppingCallback(args.early_stopping_patience)] if stage_dev else []
        trainer = ConflictTrainer(
            model=model, args=targs, train_dataset=_ListDataset(windows), eval_dataset=_ListDataset(windows[:1]),
            data_collator=lambda b: collate_windows(b, pad_id, len(tag2id)), processing_class=tokenizer, callbacks=callbacks,
            dev_docs=stage_dev, dev_kwargs={"max_length": args.max_length, "stride": args.stride, "bf16": bf16},
            lengths=[len(w.input_ids) for w in windows], head_lr=stage.head_learning_rate,
        )
        last = _last_checkpoint(stage_dir) if args.resume else None
        result = trainer.train(resume_from_checkpoint=last)
        model = trainer.model
        history.append({"stage": stage.name, "train": result.metrics, "log": trainer.state.log_history,
                        "best_checkpoint": trainer.state.best_model_checkpoint, "windows": stats.windows,
                        "tokens": stats.tokens})
        (out / "metrics.json").write_text(json.dumps(history, indent=1, default=str))
    if len(stages) < len(args.stages):
        final = save_model_folder(model, tokenizer, out / f"after-stage{len(stages)}", max_length=args.max_length)
        print(f"stopped after stage {len(stages)} of {len(args.stages)}; model saved to {final}", flush=True)
        return final
    final = save_model_folder(model, tokenizer, out / "model", max_length=args.max_length)
    if dev_docs:
        scores = dev_scores(model, tokenizer, dev_docs, args.max_length, args.stride, bf16)
        history.append({"final_dev": scores})
        (out / "metrics.json").write_text(json.dumps(history, indent=1, default=str))
        print(f"final dev: {scores}", flush=True)
    print(f"model saved to {final}", flush=True)
    return final


def _last_checkpoint(stage_dir: Path) -> str | None:
    if not stage_dir.is_dir():
        return None
    cks = sorted((p for p in stage_dir.glob("checkpoint-*") if p.is_dir()), key=lambda p: int(p.name.split("-")[-1]))
    return str(cks[-1]) if cks and os.listdir(cks[-1]) else None
