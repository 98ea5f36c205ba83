"""`pipeline("conflict-extraction")`: a native transformers task over the extraction engine."""

from __future__ import annotations

import torch
from torch import nn
from transformers import Pipeline

from .backends import autocast_dtype, load_backend, resolve_backend
from .inference import Extractor, check_text


class ConflictExtractionPipeline(Pipeline):
    """Entities, count values, side links and casualty records for each text.

    ``pipeline("conflict-extraction", model=folder, compute_dtype="auto")(texts, batch_size=16)``.
    ``compute_dtype`` names the backend (conflict_ner.backends): "fp32", "bf16" (autocast),
    "int8" (a dynamically quantized copy), "onnx" / "onnx-int8" (ONNX Runtime runs the encoder),
    or "auto" (bf16 where the hardware has it, else fp32). Each backend's model is made once and kept on the pipeline; ``backend`` says which
    runs. The factory's own ``dtype`` sets the dtype the weights are loaded in, as for every
    transformers pipeline. Outputs have the same schema whatever the backend.
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
        self._backend_models: dict[str, nn.Module] = {}
        self._backend = "fp32"

    def engine(self, batch_size: int | None = None, compute_dtype: str | None = None) -> Extractor:
        if self._engine is None:
            self._engine = Extractor(self.model, self.tokenizer, max_length=self._max_length, stride=self._stride)
        eng = self._engine
        name = resolve_backend(compute_dtype if compute_dtype is not None else self._dtype_choice, self.device)
        if name not in self._backend_models:
            self._backend_models[name] = load_backend(self.model, name)
        eng.model, eng.dtype, eng.backend = self._backend_models[name], autocast_dtype(name), name
        self._backend = name
        if batch_size:
            eng.batch_size = batch_size
        return eng

    @property
    def compute_dtype(self) -> torch.dtype:
        """The autocast dtype (float32 for the int8 and onnx backends, which run their own kernels)."""
        return self.engine().dtype

    @property
    def backend(self) -> str:
        """What runs the model: "fp32", "bf16", "int8", "onnx" or "onnx-int8"."""
        self.engine()
        return self._backend

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
