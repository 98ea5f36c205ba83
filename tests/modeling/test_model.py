"""The model on a tiny random encoder: it can learn, it saves and loads exactly, and its folder
reads as a plain transformers token classifier."""

from __future__ import annotations

import torch
from tiny import tiny_model, tiny_tokenizer
from transformers import AutoModel, AutoModelForTokenClassification, AutoTokenizer, pipeline

import conflict_ner  # noqa: F401  (registers the Auto classes and the task)
from conflict_ner.collate import collate_windows
from conflict_ner.document import Document, Entity, Relation
from conflict_ner.features import special_tokens
from conflict_ner.hub.folder import save_model_folder
from conflict_ner.inference import Extractor
from conflict_ner.modeling.model import ConflictNerModel
from conflict_ner.training.data import document_windows

TEXTS = [
    ("قتل 12 عنصرا من قوات النظام في ريف إدلب أمس", [("COUNT", "12", "killed"), ("ACTOR", "قوات النظام", None),
                                                  ("LOCATION", "ريف إدلب", None), ("DATE", "أمس", None)], [(0, 1)]),
    ("وأصيب ثلاثة مدنيين في قصف على مدينة حلب", [("COUNT", "ثلاثة", "wounded"), ("ACTOR", "مدنيين", None),
                                               ("LOCATION", "مدينة حلب", None)], [(0, 1)]),
    ("قالت وزارة الصحة إن 37 فلسطينيا قتلوا في غزة يوم الثلاثاء", [("ACTOR", "وزارة الصحة", None), ("COUNT", "37", "killed"),
                                                            ("ACTOR", "فلسطينيا", None), ("LOCATION", "غزة", None),
                                                            ("DATE", "يوم الثلاثاء", None)], [(1, 2)]),
]


def make_doc(i, text, ents, links) -> Document:
    entities, pos = [], 0
    for k, (label, s, outcome) in enumerate(ents):
        start = text.index(s, pos)
        pos = start + len(s)
        entities.append(Entity(k, label, start, pos, outcome))
    rels = [Relation(j, c, a) for j, (c, a) in enumerate(links)]
    return Document(str(i), text, entities, rels)


DOCS = [make_doc(i, *t) for i, t in enumerate(TEXTS)]


def _train(model, tok, steps=150):
    prefix, suffix = special_tokens(tok)
    wins = [w for d in DOCS for w in document_windows(d, tok, prefix, suffix, 128, 16, conflict_ner.schema.ENTITY_LABELS,
                                                        True, 100, conflict_ner.schema.TAG2ID)[0]]
    batch = collate_windows(wins, tok.pad_token_id)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = model(**batch).loss
        loss.backward()
        opt.step()
    model.eval()
    return loss.item()


def test_overfits_a_handful_of_documents_to_perfect_entities_and_relations():
    tok = tiny_tokenizer()
    torch.manual_seed(0)
    model = tiny_model(tok, classifier_dropout=0.0)
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    _train(model, tok)
    res = Extractor(model, tok, max_length=128).extract([d.text for d in DOCS])
    for doc, r in zip(DOCS, res):
        gold = {(e.start, e.end, e.label) for e in doc.entities}
        assert {(e["start"], e["end"], e["label"]) for e in r["entities"]} == gold
        gold_links = {((doc.entity(x.from_id).start), doc.entity(x.to_id).start) for x in doc.relations}
        pred_links = {(r["entities"][x["count"]]["start"], r["entities"][x["actor"]]["start"]) for x in r["relations"]}
        assert pred_links == gold_links
        outcomes = {e.start: e.outcome for e in doc.entities if e.label == "COUNT"}
        assert {e["start"]: e["outcome"] for e in r["entities"] if e["label"] == "COUNT"} == outcomes


def test_save_and_load_round_trip_gives_identical_logits(tmp_path):
    tok = tiny_tokenizer()
    model = tiny_model(tok).eval()
    folder = save_model_folder(model, tok, tmp_path / "m")
    loaded = ConflictNerModel.from_pretrained(folder).eval()
    auto = AutoModel.from_pretrained(folder, trust_remote_code=True).eval()
    ids = tok(["قتل 12 عنصرا في حلب"], return_tensors="pt")
    spans = torch.tensor([[[1, 2], [3, 5]]])
    kw = dict(spans=spans, pairs=torch.tensor([[[0, 1]]]), pair_features=torch.tensor([[[2, 1, 0]]]), count_index=torch.tensor([[0]]))
    with torch.no_grad():
        a, b, c = model(**ids, **kw), loaded(**ids, **kw), auto(**ids, **kw)
    # Bit-exact for the tag head; the pair/outcome MLPs may differ in the last bits (kernel choice
    # depends on memory layout of the loaded tensors), so those compare at 1e-6.
    for out in (b, c):
        assert torch.equal(a.logits, out.logits)
        assert torch.allclose(a.pair_logits, out.pair_logits, rtol=0, atol=1e-6)
        assert torch.allclose(a.outcome_logits, out.outcome_logits, rtol=0, atol=1e-6)
    assert (folder / "model.safetensors").is_file()


def test_folder_loads_as_plain_token_classifier_with_the_entity_head(tmp_path):
    tok = tiny_tokenizer()
    model = tiny_model(tok, seed=3).eval()
    folder = save_model_folder(model, tok, tmp_path / "m")
    plain = AutoModelForTokenClassification.from_pretrained(folder).eval()
    assert type(plain).__name__ == "BertForTokenClassification"
    ids = tok(["قتل 12 عنصرا في حلب"], return_tensors="pt")
    with torch.no_grad():
        assert torch.allclose(plain(**ids).logits, model(**ids).logits, atol=1e-6)
    assert plain.config.id2label[9] == "B-COUNT"
    tc = pipeline("token-classification", model=str(folder), tokenizer=AutoTokenizer.from_pretrained(folder))
    out = tc("قتل 12 عنصرا في حلب")
    with torch.no_grad():
        logits = model(**tok(["قتل 12 عنصرا في حلب"], return_tensors="pt")).logits[0]
    expected = [plain.config.id2label[int(i)] for i in logits.argmax(-1)[1:-1] if plain.config.id2label[int(i)] != "O"]
    assert [o["entity"] for o in out] == expected
