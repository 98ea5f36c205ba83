"""ConflictNerModel: encoder + BIO token classifier + COUNT->ACTOR relation head + COUNT outcome head.

The encoder lives under the attribute its own token-classification model uses (``bert`` for
BERT-family encoders) and the tag head is ``classifier``, so the saved weights load as a plain
``AutoModelForTokenClassification``; the extra heads are ignored there.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import AutoModel, PreTrainedModel
from transformers.utils import ModelOutput

from .cn_configuration import ConflictNerConfig
from .cn_heads import OutcomeHead, RelationHead, gather_rows, pool_spans


@dataclass
class ConflictNerOutput(ModelOutput):
    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    pair_logits: torch.Tensor | None = None
    outcome_logits: torch.Tensor | None = None


def partial_label_loss(logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """-log P(gold tag is in the allowed set). A full label allows one tag; a corpus that never
    marks DATE/COUNT allows O *or* those tags where it says O, so it cannot teach that numbers are O."""
    active = allowed.any(-1)
    if not active.any():
        return logits.sum() * 0.0
    lg = logits[active].float()
    al = allowed[active]
    return (torch.logsumexp(lg, -1) - torch.logsumexp(lg.masked_fill(~al, -1e4), -1)).mean()


class ConflictNerModel(PreTrainedModel):
    config_class = ConflictNerConfig
    base_model_prefix = "bert"
    supports_gradient_checkpointing = True
    _keys_to_ignore_on_load_unexpected = [r"pooler"]

    def __init__(self, config):
        if not isinstance(config, ConflictNerConfig):
            # A pipeline may hand us the plain encoder config read from config.json.
            config = ConflictNerConfig(**config.to_dict())
        super().__init__(config)
        encoder = AutoModel.from_config(config.encoder_config(), add_pooling_layer=False) \
            if config.encoder_model_type == "bert" else AutoModel.from_config(config.encoder_config())
        self.encoder_attr = getattr(type(encoder), "base_model_prefix", "bert") or "bert"
        setattr(self, self.encoder_attr, encoder)
        h = config.hidden_size
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.classifier = nn.Linear(h, config.num_labels)
        self.relation_head = RelationHead(h, config.relation_hidden_size, config.relation_max_distance, config.classifier_dropout)
        self.outcome_head = OutcomeHead(h, len(config.outcome_labels), config.classifier_dropout)
        self.post_init()

    @property
    def encoder(self) -> nn.Module:
        return getattr(self, self.encoder_attr)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(0.0, self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(0.0, self.config.initializer_range)
        elif isinstance(module, nn.LayerNorm):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()

    @classmethod
    def from_encoder(cls, encoder_path: str, **heads) -> ConflictNerModel:
        """A new model around a pretrained encoder (Hub id or local folder); heads freshly initialised."""
        encoder = AutoModel.from_pretrained(encoder_path)
        config = ConflictNerConfig.from_encoder_config(encoder.config, **heads)
        model = cls(config)
        model.encoder.load_state_dict(encoder.state_dict(), strict=False)
        return model

    def span_heads(self, hidden, spans, pairs=None, pair_features=None, count_index=None):
        """Pair logits [B,P] and outcome logits [B,C,K] from token states and token spans [B,S,2]."""
        span_vecs = pool_spans(hidden, spans)
        pair_logits = outcome_logits = None
        if pairs is not None and pairs.size(1) > 0:
            pair_logits = self.relation_head(span_vecs, pairs, pair_features)
        if count_index is not None and count_index.size(1) > 0:
            k = self.config.span_context
            idx = count_index.clamp(min=0)
            cspans = gather_rows(spans, idx)
            ctx = torch.stack([(cspans[..., 0] - k).clamp(min=0), cspans[..., 1] + k], -1)
            outcome_logits = self.outcome_head(gather_rows(span_vecs, idx), pool_spans(hidden, ctx))
        return pair_logits, outcome_logits

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        tag_allowed: torch.Tensor | None = None,
        spans: torch.Tensor | None = None,
        pairs: torch.Tensor | None = None,
        pair_features: torch.Tensor | None = None,
        pair_labels: torch.Tensor | None = None,
        count_index: torch.Tensor | None = None,
        outcome_labels: torch.Tensor | None = None,
        **kwargs,
    ) -> ConflictNerOutput:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.classifier(self.dropout(hidden))
        loss = None
        if tag_allowed is not None:
            loss = partial_label_loss(logits, tag_allowed)
        elif labels is not None:
            loss = nn.functional.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(), ignore_index=-100)

        pair_logits = outcome_logits = None
        if spans is not None and spans.size(1) > 0:
            pair_logits, outcome_logits = self.span_heads(hidden, spans, pairs, pair_features, count_index)
            if pair_logits is not None and pair_labels is not None:
                mask = pair_labels >= 0
                if mask.any():
                    rl = nn.functional.binary_cross_entropy_with_logits(pair_logits[mask].float(), pair_labels[mask].float())
                    loss = rl if loss is None else loss + rl
            if outcome_logits is not None and outcome_labels is not None:
                mask = outcome_labels >= 0
                if mask.any():
                    ol = nn.functional.cross_entropy(outcome_logits[mask].float(), outcome_labels[mask])
                    loss = ol if loss is None else loss + ol
        return ConflictNerOutput(loss=loss, logits=logits, pair_logits=pair_logits, outcome_logits=outcome_logits)
