"""``marian``: local Hugging Face seq2seq translation models through transformers.

Marian/OPUS-MT, M2M100 and NLLB folders under ``MODELS_DIR`` work; the model is
loaded lazily, once per process, and run in batches under ``torch.inference_mode()``
with ``MT_THREADS`` CPU threads. The confidence is the beam's length-normalized
probability.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

from workbench.messages import N_, Message, MessageLike, msg
from workbench.mt.models import ModelFolder
from workbench.mt.neural import NeuralEngine

NUM_BEAMS = 4


def _missing(*modules: str) -> Message | None:
    import importlib.util

    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    if absent:
        return msg("%(modules)s not installed (pip install 'signbench-workbench[neural]').",
                   modules=", ".join(absent))
    return None


class MarianEngine(NeuralEngine):
    """Hugging Face transformers seq2seq models (Marian/OPUS-MT, M2M100, NLLB)."""

    id = "marian"
    name = N_("Neural MT (transformers)")
    description = N_("Local Marian/OPUS-MT, M2M100 or NLLB model, with glossary terms "
                     "enforced.")
    kind = "hf"
    library = "transformers"

    @classmethod
    def library_missing(cls) -> MessageLike | None:
        return _missing("torch", "transformers", "sentencepiece")

    def load(self, model: ModelFolder) -> Any:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        # A progress bar per model load is noise on a server's or CLI's stderr.
        # transformers leaves this function unannotated.
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        torch.set_num_threads(self.threads)
        with warnings.catch_warnings():
            # MarianTokenizer suggests sacremoses for punctuation normalization; signs
            # are short and the models work without it.
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            tokenizer = AutoTokenizer.from_pretrained(str(model.path))
        network = AutoModelForSeq2SeqLM.from_pretrained(str(model.path))
        network.eval()
        return tokenizer, network

    def translate_raw(self, loaded: Any, model: ModelFolder, texts: list[str], source: str,
                      target: str) -> list[tuple[str, float | None]]:
        import torch

        tokenizer, network = loaded
        options: dict[str, Any] = {}
        if model.multilingual:
            tokenizer.src_lang = model.language_code(source)
            options["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(
                model.target_token(target))
        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        batch = tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                          max_length=256)
        longest = int(batch["input_ids"].shape[1])
        with torch.inference_mode():
            output = network.generate(**batch, num_beams=NUM_BEAMS, max_new_tokens=2 * longest + 10,
                                      return_dict_in_generate=True, output_scores=True,
                                      **options)
        decoded = tokenizer.batch_decode(output.sequences, skip_special_tokens=True)
        scores = getattr(output, "sequences_scores", None)
        results = []
        for index, text in enumerate(decoded):
            score = math.exp(float(scores[index])) if scores is not None else None
            results.append((text.strip(), score))
        return results
