"""Pad a batch of windows into tensors: tokens, allowed-tag masks, spans, pairs and counts."""

from __future__ import annotations

import torch

from .cn_features import WindowInput


def collate_windows(batch: list[WindowInput], pad_id: int, num_tags: int = 11) -> dict[str, torch.Tensor]:
    B = len(batch)
    T = max(len(w.input_ids) for w in batch)
    ids = torch.full((B, T), pad_id, dtype=torch.long)
    mask = torch.zeros((B, T), dtype=torch.long)
    for i, w in enumerate(batch):
        ids[i, : len(w.input_ids)] = torch.tensor(w.input_ids)
        mask[i, : len(w.input_ids)] = 1
    out: dict[str, torch.Tensor] = {"input_ids": ids, "attention_mask": mask}
    if batch[0].labels is not None:
        allowed = torch.zeros((B, T, num_tags), dtype=torch.bool)
        for i, w in enumerate(batch):
            for pos, tags in enumerate(w.labels):
                if tags:
                    allowed[i, pos, tags] = True
        out["tag_allowed"] = allowed
    S = max(len(w.spans) for w in batch)
    if S:
        spans = torch.zeros((B, S, 2), dtype=torch.long)
        for i, w in enumerate(batch):
            for k, (a, b) in enumerate(w.spans):
                spans[i, k, 0] = w.first_token[a - w.window.start]
                spans[i, k, 1] = w.last_token[b - 1 - w.window.start]
        out["spans"] = spans
        P = max(len(w.pairs) for w in batch)
        if P:
            pairs = torch.zeros((B, P, 2), dtype=torch.long)
            feats = torch.zeros((B, P, 3), dtype=torch.long)
            plab = torch.full((B, P), -1, dtype=torch.long)
            for i, w in enumerate(batch):
                if w.pairs:
                    pairs[i, : len(w.pairs)] = torch.tensor(w.pairs)
                    feats[i, : len(w.pairs)] = torch.tensor(w.pair_feats)
                    plab[i, : len(w.pairs)] = torch.tensor(w.pair_labels)
            out.update(pairs=pairs, pair_features=feats, pair_labels=plab)
        C = max(len(w.counts) for w in batch)
        if C:
            cidx = torch.full((B, C), -1, dtype=torch.long)
            olab = torch.full((B, C), -1, dtype=torch.long)
            for i, w in enumerate(batch):
                if w.counts:
                    cidx[i, : len(w.counts)] = torch.tensor(w.counts)
                    olab[i, : len(w.counts)] = torch.tensor(w.outcome_labels)
            out.update(count_index=cidx, outcome_labels=olab)
    return out
