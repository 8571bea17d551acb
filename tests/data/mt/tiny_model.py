"""Build a tiny Marian translation model for tests and benchmarks (random weights).

A SentencePiece model is trained on the fly on a few hundred sign lines (the zh
and en columns of the rule engine's tables), a ``MarianMTModel`` with two small
layers is created with random weights, and both are saved as a Hugging Face
folder (``source.spm``, ``target.spm``, ``vocab.json``, config, weights) that
the ``marian`` engine and ``workbench model convert`` read like a real OPUS-MT
folder. Nothing is downloaded.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path

from workbench.mt.rules.tables import read_table


def sign_lines(limit: int = 120) -> list[str]:
    """A few hundred zh and en sign texts from the rule tables."""
    lines = []
    for zh, en in read_table("words.tsv", 2)[:limit]:
        lines += [zh, en]
    for zh, verb, gerund, *_rest in read_table("verbs.tsv", 6)[:limit // 2]:
        lines += [zh, f"No {gerund}", f"Do Not {verb}"]
    return [line for line in lines if line]


def build_tiny_marian(folder: Path, name: str = "opus-mt-zh-en", extra_pieces: int = 120,
                      d_model: int = 32, seed: int = 0) -> Path:
    """Create ``folder/name`` holding a tiny random Marian zh→en model; returns its path."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    target = Path(folder) / name
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "signs.txt"
        lines = sign_lines()
        corpus.write_text("\n".join(lines), encoding="utf-8")
        # Every character must be a piece; a hundred or so more make the vocabulary.
        vocab_size = len(set("".join(lines))) + extra_pieces
        spm.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(Path(tmp) / "sp"), vocab_size=vocab_size,
            character_coverage=1.0, model_type="unigram", hard_vocab_limit=False,
            minloglevel=2, num_threads=1)
        processor = spm.SentencePieceProcessor(model_file=str(Path(tmp) / "sp.model"))
        # Marian's layout: </s> first, <unk>, the pieces, and <pad> last (CTranslate2
        # drops the final <pad> row when converting).
        vocab = {"</s>": 0, "<unk>": 1}
        for index in range(processor.get_piece_size()):
            piece = processor.id_to_piece(index)
            if piece not in vocab and piece not in ("<s>", "<pad>"):
                vocab[piece] = len(vocab)
        vocab["<pad>"] = len(vocab)
        for spm_name in ("source.spm", "target.spm"):
            shutil.copyfile(Path(tmp) / "sp.model", target / spm_name)
    (target / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*sacremoses.*")
        tokenizer = MarianTokenizer(str(target / "source.spm"), str(target / "target.spm"),
                                    str(target / "vocab.json"), source_lang="zh",
                                    target_lang="en")
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=2 * d_model,
        decoder_ffn_dim=2 * d_model, max_position_embeddings=128, pad_token_id=pad,
        eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True, scale_embedding=True)
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))
    return target
