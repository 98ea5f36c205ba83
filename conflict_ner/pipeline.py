"""`pipeline("conflict-extraction")`: a native transformers task over the extraction engine."""

from __future__ import annotations

import torch
from transformers import Pipeline

from .inference import Extractor, check_text, resolve_dtype


class ConflictExtractionPipeline(Pipeline):
    """Entities, count values, side links and casualty records for each text.

    ``pipeline("conflict-extraction", model=folder, compute_dtype="auto")(texts, batch_size=16)``.
    ``compute_dtype`` ("auto", "fp32", "bf16") sets autocast; the factory's own ``dtype`` sets the
    dtype the weights are loaded in, as for every transformers pipeline.
    Windows of all texts of one call are pooled, sorted by length and batched, so a list is
    faster than a loop. Long texts are windowed with stride, never truncated.
    """

    _load_processor = False
    _load_image_processor = False
    _load_feature_extractor = False
    _load_tokenizer = True

    def __init__(self, *args, compute_dtype: str | None = None, max_length: int = 256, stride: int = 32, **kwargs):
        super().__init__(*args, **kwargs)
        self._dtype_choice = compute_dtype
        self._max_length = max_length
        self._stride = stride
        self._engine: Extractor | None = None

    def engine(self, batch_size: int | None = None, compute_dtype: str | None = None) -> Extractor:
        if self._engine is None:
            self._engine = Extractor(self.model, self.tokenizer, max_length=self._max_length, stride=self._stride)
        eng = self._engine
        eng.dtype = resolve_dtype(compute_dtype if compute_dtype is not None else self._dtype_choice, self.device)
        if batch_size:
            eng.batch_size = batch_size
        return eng

    @property
    def compute_dtype(self) -> torch.dtype:
        return self.engine().dtype

    def _sanitize_parameters(self, compute_dtype=None, **kwargs):
        forward = {"compute_dtype": compute_dtype} if compute_dtype is not None else {}
        return {}, forward, {}

    def __call__(self, inputs, batch_size: int | None = None, compute_dtype: str | None = None, **kwargs):
        single = isinstance(inputs, str)
        if not single and not isinstance(inputs, (list, tuple)):
            check_text(inputs)  # raises TypeError naming the type
        texts = [inputs] if single else [check_text(t) for t in inputs]
        results = self.engine(batch_size or self._batch_size, compute_dtype).extract(texts)
        return results[0] if single else results

    # The Pipeline interface, for callers that drive the steps themselves.
    def preprocess(self, text):
        return {"text": check_text(text)}

    def _forward(self, model_inputs, compute_dtype=None):
        return self.engine(compute_dtype=compute_dtype).extract([model_inputs["text"]])[0]

    def postprocess(self, model_outputs):
        return model_outputs
