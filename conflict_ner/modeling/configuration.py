"""ConflictNerConfig: the encoder's own fields, flat, plus the heads' settings.

The saved config.json carries the *encoder's* model_type (e.g. "bert") and the standard
id2label/label2id of the BIO tags, so a plain `AutoModelForTokenClassification` reads the
folder as an ordinary token classifier with no custom code.
"""

from __future__ import annotations

from typing import Any

from transformers import AutoConfig, PretrainedConfig

from ..schema import BIO_TAGS, OUTCOMES

HEAD_DEFAULTS: dict[str, Any] = {
    "outcome_labels": list(OUTCOMES),
    "relation_hidden_size": 256,
    "relation_max_distance": 64,  # words; pairs farther apart share the last distance bucket
    "relation_window": 400,  # words either side of a count in which actors are candidates
    "span_context": 6,  # tokens either side of a COUNT pooled for the outcome head
    "classifier_dropout": 0.1,
    "relation_threshold": 0.5,  # a count's best side needs this probability ...
    "relation_extra_threshold": None,  # ... and each further side this one (None: the same)
    # The spec's span conventions in decoding (decoding.apply_span_rules: bare member nouns are not
    # ACTOR; COUNT is a number of people). Off for a model trained to another labelling standard.
    "span_rules": True,
    # How tags are read from the tagger's distributions (decoding.decode_tags): "viterbi", the best
    # valid BIO sequence, or "argmax" per word (what models saved before it was added were scored with).
    "tag_decoder": "viterbi",
    # Outcome cue words next to a count ("نزحوا", "في عداد المفقودين") override the outcome head
    # where it gives the cued outcome at least outcome_cue_min_prob (outcome_cues.apply_outcome_cues).
    "outcome_cues": True,
    "outcome_cue_min_prob": 0.1,
    # A headline count with no side takes the sides of its restatement below (side_rules.share_headline_sides).
    "share_headline_sides": True,
    # The spec's side rules where the pair head is silent or links past a breakdown (side_rules.RELATION_RULES).
    "relation_rules": True,
}


class ConflictNerConfig(PretrainedConfig):
    model_type = "conflict_ner"

    def __init__(self, encoder_model_type: str | None = None, **kwargs: Any):
        saved_type = kwargs.pop("model_type", None)
        self.encoder_model_type = encoder_model_type or (saved_type if saved_type != "conflict_ner" else None) or "bert"
        for key, value in HEAD_DEFAULTS.items():
            given = kwargs.pop(key, None)
            setattr(self, key, value if given is None else given)
        if "id2label" not in kwargs and "num_labels" not in kwargs:
            kwargs["id2label"] = dict(enumerate(BIO_TAGS))
        super().__init__(**kwargs)

    @classmethod
    def from_pretrained(cls, *args: Any, **kwargs: Any) -> ConflictNerConfig:
        # config.json deliberately names the encoder's model_type (see the module docstring);
        # transformers warns about that mismatch on every load, which is expected here.
        from transformers.utils import logging

        log = logging.get_logger("transformers.configuration_utils")
        level = log.level
        log.setLevel(logging.ERROR)
        try:
            return super().from_pretrained(*args, **kwargs)
        finally:
            log.setLevel(level)

    @classmethod
    def from_encoder_config(cls, encoder: PretrainedConfig, **heads: Any) -> ConflictNerConfig:
        fields = encoder.to_dict()
        for k in ("id2label", "label2id", "num_labels", "architectures", "transformers_version", "_name_or_path"):
            fields.pop(k, None)
        fields["encoder_model_type"] = fields.pop("model_type")
        fields.update(heads)
        return cls(**fields)

    def encoder_config(self) -> PretrainedConfig:
        fields = {k: v for k, v in self.to_dict().items() if k not in HEAD_DEFAULTS}
        for k in ("model_type", "encoder_model_type", "architectures", "auto_map", "custom_pipelines", "transformers_version"):
            fields.pop(k, None)
        return AutoConfig.for_model(self.encoder_model_type, **fields)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["model_type"] = self.encoder_model_type
        return out
