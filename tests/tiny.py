"""Tiny tokenizers and random models built locally in tests (no network, a few seconds)."""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, PreTrainedTokenizerFast

from conflict_ner.modeling.configuration import ConflictNerConfig
from conflict_ner.modeling.model import ConflictNerModel

CORPUS = [
    "قتل 12 عنصرا من قوات النظام في ريف إدلب الجنوبي أمس",
    "وأصيب ثلاثة مدنيين بينهم طفلان في قصف على مدينة حلب",
    "قالت وزارة الصحة إن 37 فلسطينيا قتلوا في غزة يوم الثلاثاء",
    "أعلنت قوات سوريا الديمقراطية (قسد) أسر 5 من عناصر تنظيم \"داعش\"",
    "Reuters reported 40 dead in Kabul on Monday, 2019.",
    "٣٧ ١٢ ٤٠ ، . « » ( ) : ؟ ! - ـ",
]


def _sentencepiece(vocab_size: int = 300) -> Tokenizer:
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], unk_token="<unk>")
    tok.train_from_iterator(CORPUS * 3, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                       special_tokens=[("<s>", 0), ("</s>", 2)])
    return tok


def _wordpiece(vocab_size: int = 300) -> Tokenizer:
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train_from_iterator(CORPUS * 3, trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return tok


def tiny_tokenizer(kind: str = "sentencepiece") -> PreTrainedTokenizerFast:
    if kind == "sentencepiece":
        return PreTrainedTokenizerFast(tokenizer_object=_sentencepiece(), bos_token="<s>", eos_token="</s>",
                                       pad_token="<pad>", unk_token="<unk>", cls_token="<s>", sep_token="</s>")
    return PreTrainedTokenizerFast(tokenizer_object=_wordpiece(), pad_token="[PAD]", unk_token="[UNK]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def tiny_model(tokenizer, seed: int = 0, max_positions: int = 128, **heads) -> ConflictNerModel:
    import torch

    torch.manual_seed(seed)
    enc = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id)
    heads.setdefault("relation_hidden_size", 32)
    return ConflictNerModel(ConflictNerConfig.from_encoder_config(enc, **heads))


def save_tiny(folder: Path, kind: str = "sentencepiece", seed: int = 0, max_positions: int = 128, **heads) -> Path:
    from conflict_ner.hub.folder import save_model_folder

    tok = tiny_tokenizer(kind)
    model = tiny_model(tok, seed=seed, max_positions=max_positions, **heads)
    save_model_folder(model, tok, folder)
    return folder


def save_peaky(folder: Path) -> Path:
    """A random model with large logit margins, so padding or quantisation noise never flips a prediction."""
    import torch

    from conflict_ner.hub.folder import save_model_folder

    tok = tiny_tokenizer()
    model = tiny_model(tok, seed=1)
    with torch.no_grad():
        model.classifier.weight.mul_(60)
        model.relation_head.mlp[-1].weight.mul_(60)
    return save_model_folder(model, tok, folder)
