"""conflict-ner: actors, persons, places, dates and casualty counts in Arabic conflict news,
with the side each count belongs to.

Importing the package registers the ``conflict-extraction`` pipeline task and the model with
the transformers Auto classes.
"""

from __future__ import annotations

__version__ = "0.1.0"

from transformers import AutoConfig, AutoModel
from transformers.pipelines import PIPELINE_REGISTRY

from .modeling.configuration import ConflictNerConfig
from .modeling.model import ConflictNerModel
from .pipeline import ConflictExtractionPipeline

AutoConfig.register(ConflictNerConfig.model_type, ConflictNerConfig, exist_ok=True)
AutoModel.register(ConflictNerConfig, ConflictNerModel, exist_ok=True)
PIPELINE_REGISTRY.register_pipeline(
    "conflict-extraction",
    pipeline_class=ConflictExtractionPipeline,
    pt_model=ConflictNerModel,
    type="text",
)

__all__ = ["ConflictNerConfig", "ConflictNerModel", "ConflictExtractionPipeline", "__version__"]
