"""The model: a `PretrainedConfig` + `PreTrainedModel` pair over any BERT-like encoder."""
