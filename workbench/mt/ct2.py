"""``ct2``: CTranslate2 models (``models/NAME-ct2/``, made by ``workbench model convert``).

The same models as ``marian``, converted (int8 by default) for fast CPU inference.
The tokenizer files copied beside the converted model tokenize and detokenize;
the translator is created once per process with ``MT_THREADS`` threads.
"""
from __future__ import annotations

import json
import math
import warnings
from typing import Any

from workbench.messages import N_, MessageLike
from workbench.mt.marian import NUM_BEAMS, _missing
from workbench.mt.models import INFO_FILE, ModelFolder
from workbench.mt.neural import BATCH_SIZE, NeuralEngine


class CTranslate2Engine(NeuralEngine):
    """CTranslate2 (int8) conversions of local translation models."""

    id = "ct2"
    name = N_("Neural MT (CTranslate2)")
    description = N_("A model converted with `workbench model convert`, fast on CPU.")
    kind = "ct2"
    library = "ctranslate2"

    @classmethod
    def library_missing(cls) -> MessageLike | None:
        return _missing("ctranslate2", "transformers", "sentencepiece")

    def load(self, model: ModelFolder) -> Any:
        import ctranslate2
        from transformers import AutoTokenizer

        info = {}
        if (model.path / INFO_FILE).exists():
            info = json.loads((model.path / INFO_FILE).read_text(encoding="utf-8"))
        compute_type = "int8" if str(info.get("quantization", "int8")).startswith("int8") \
            else "default"
        translator = ctranslate2.Translator(str(model.path), device="cpu",
                                            compute_type=compute_type,
                                            inter_threads=1, intra_threads=self.threads)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            tokenizer = AutoTokenizer.from_pretrained(str(model.path))
        return tokenizer, translator

    def translate_raw(self, loaded: Any, model: ModelFolder, texts: list[str], source: str,
                      target: str) -> list[tuple[str, float | None]]:
        tokenizer, translator = loaded
        prefix = None
        if model.multilingual:
            tokenizer.src_lang = model.language_code(source)
            prefix = [[model.target_token(target)] for _ in texts]
        tokens = [tokenizer.convert_ids_to_tokens(tokenizer.encode(text, truncation=True,
                                                                   max_length=256))
                  for text in texts]
        longest = max((len(t) for t in tokens), default=1)
        results = translator.translate_batch(
            tokens, target_prefix=prefix, beam_size=NUM_BEAMS, max_batch_size=BATCH_SIZE,
            max_decoding_length=2 * longest + 10, return_scores=True)
        output = []
        for result in results:
            hypothesis = result.hypotheses[0]
            if prefix:
                hypothesis = hypothesis[1:]
            ids = tokenizer.convert_tokens_to_ids(hypothesis)
            text = tokenizer.decode(ids, skip_special_tokens=True).strip()
            score = math.exp(result.scores[0]) if result.scores else None
            output.append((text, score))
        return output
