"""Heads over one encoder pass: span pooling, the COUNT->ACTOR pair scorer, the outcome classifier."""

from __future__ import annotations

import torch
from torch import nn


def pool_spans(hidden: torch.Tensor, spans: torch.Tensor) -> torch.Tensor:
    """Mean of token states over [start, end) token spans. hidden [B,T,H], spans [B,S,2] -> [B,S,H]."""
    pos = torch.arange(hidden.size(1), device=hidden.device)
    inside = (pos[None, None, :] >= spans[..., :1]) & (pos[None, None, :] < spans[..., 1:])  # [B,S,T]
    weights = inside.to(hidden.dtype)
    denom = weights.sum(-1, keepdim=True).clamp(min=1.0)
    return torch.bmm(weights, hidden) / denom


def gather_rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """x [B,S,H], index [B,P] -> [B,P,H]."""
    return torch.gather(x, 1, index.unsqueeze(-1).expand(-1, -1, x.size(-1)))


class RelationHead(nn.Module):
    """SpERT-style pair scorer: both span vectors, their product, and embedded pair features
    (signed word distance bucket, same sentence, number of ACTOR mentions in between)."""

    N_FEATURES = 3

    def __init__(self, hidden: int, inner: int, max_distance: int, dropout: float):
        super().__init__()
        self.max_distance = max_distance
        self.distance = nn.Embedding(2 * max_distance + 1, 32)
        self.same_sentence = nn.Embedding(2, 16)
        self.between = nn.Embedding(8, 16)
        self.mlp = nn.Sequential(
            nn.Linear(3 * hidden + 64, inner), nn.GELU(), nn.Dropout(dropout), nn.Linear(inner, 1)
        )

    def forward(self, span_vecs: torch.Tensor, pairs: torch.Tensor, feats: torch.Tensor) -> torch.Tensor:
        c = gather_rows(span_vecs, pairs[..., 0])
        a = gather_rows(span_vecs, pairs[..., 1])
        d = feats[..., 0].clamp(-self.max_distance, self.max_distance) + self.max_distance
        f = torch.cat([self.distance(d), self.same_sentence(feats[..., 1].clamp(0, 1)), self.between(feats[..., 2].clamp(0, 7))], -1)
        return self.mlp(torch.cat([c, a, c * a, f.to(c.dtype)], -1)).squeeze(-1)


class OutcomeHead(nn.Module):
    """Classifies a COUNT span from its own vector and the tokens around it (the verb is usually there)."""

    def __init__(self, hidden: int, n_outcomes: int, dropout: float):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, n_outcomes))

    def forward(self, span_vecs: torch.Tensor, context_vecs: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([span_vecs, context_vecs], -1))
