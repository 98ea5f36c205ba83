"""Training: one dataclass of arguments per run, stages of corpus mixtures, a Trainer subclass."""
