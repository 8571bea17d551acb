"""Local neural model folders: finding them, their language pairs, converting, fetching.

A model folder under ``MODELS_DIR`` (``models/`` or ``WORKBENCH_MODELS_DIR``) is either

* a Hugging Face seq2seq translation model (Marian/OPUS-MT, M2M100, NLLB): ``config.json``
  with a known ``model_type`` and its tokenizer files; used by the ``marian`` engine;
* a CTranslate2 model ``NAME-ct2/`` (``model.bin``) made by :func:`convert`, with the
  tokenizer files copied beside it; used by the ``ct2`` engine.

The language pairs of a folder come from its ``workbench.json`` (``{"pairs": [["zh",
"en"]]}``), else the tokenizer's ``source_lang``/``target_lang``, else an OPUS-MT style
folder name (``opus-mt-zh-en``); multilingual models (M2M100, NLLB) translate between
every language of :data:`MULTILINGUAL_CODES`.
"""
from __future__ import annotations

import json
import re
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from workbench.errors import WorkbenchError
from workbench.messages import msg

SEQ2SEQ_TYPES = {"marian", "m2m_100", "mbart", "nllb", "nllb-moe"}
MULTILINGUAL_TYPES = {"m2m_100", "mbart", "nllb", "nllb-moe"}
# Language codes of multilingual models: M2M100 uses ISO codes, NLLB FLORES-200 codes.
MULTILINGUAL_CODES: dict[str, dict[str, str]] = {
    "m2m_100": {"zh": "zh", "en": "en", "ru": "ru", "ja": "ja", "ko": "ko"},
    "nllb": {"zh": "zho_Hans", "en": "eng_Latn", "ru": "rus_Cyrl", "ja": "jpn_Jpan",
             "ko": "kor_Hang"},
}
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json",
                   "special_tokens_map.json", "sentencepiece.bpe.model", "tokenizer.json",
                   "spm.model", "generation_config.json")
INFO_FILE = "workbench.json"
_OPUS_NAME = re.compile(r"opus-mt-(?:tc-\w+-)?([a-z]{2,3})-([a-z]{2,3})(?:$|-)")


class ModelError(WorkbenchError):
    """A model folder is missing, unreadable, or cannot be converted or fetched."""


@dataclass(frozen=True)
class ModelFolder:
    """One local model: its name, folder, kind (``hf`` or ``ct2``), type and language pairs."""

    name: str
    path: Path
    kind: str
    model_type: str
    pairs: tuple[tuple[str, str], ...] = field(default=())

    @property
    def multilingual(self) -> bool:
        """Whether the model needs language codes (M2M100, NLLB)."""
        return self.model_type in MULTILINGUAL_TYPES

    def language_code(self, lang: str) -> str:
        """The model's code for ``lang`` (multilingual models), else ``lang`` itself."""
        table = MULTILINGUAL_CODES.get("nllb" if self.model_type.startswith("nllb")
                                       else self.model_type, {})
        return table.get(lang, lang)

    def target_token(self, lang: str) -> str:
        """The token starting a translation into ``lang`` (M2M100 ``__en__``, NLLB ``eng_Latn``)."""
        code = self.language_code(lang)
        return f"__{code}__" if self.model_type == "m2m_100" else code


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _model_type(folder: Path, config: dict[str, Any]) -> str:
    model_type = str(config.get("model_type") or "")
    if model_type == "m2m_100" and "nllb" in folder.name.lower():
        return "nllb"
    return model_type


def _pairs(folder: Path, model_type: str) -> tuple[tuple[str, str], ...]:
    info = _read_json(folder / INFO_FILE)
    if info.get("pairs"):
        return tuple((str(s), str(t)) for s, t in info["pairs"])
    tokenizer = _read_json(folder / "tokenizer_config.json")
    if tokenizer.get("source_lang") and tokenizer.get("target_lang") and \
            model_type not in MULTILINGUAL_TYPES:
        return ((str(tokenizer["source_lang"]), str(tokenizer["target_lang"])),)
    found = _OPUS_NAME.search(folder.name.removesuffix("-ct2"))
    if found:
        return ((found.group(1), found.group(2)),)
    if model_type in MULTILINGUAL_TYPES:
        langs = list(MULTILINGUAL_CODES["m2m_100"])
        return tuple((s, t) for s in langs for t in langs if s != t)
    return ()


def describe(folder: Path) -> ModelFolder | None:
    """The model in ``folder``, or None when it is not a usable model folder."""
    if not folder.is_dir():
        return None
    if (folder / "model.bin").exists():
        info = _read_json(folder / INFO_FILE)
        model_type = str(info.get("model_type") or "marian")
        return ModelFolder(folder.name, folder, "ct2", model_type, _pairs(folder, model_type))
    config = _read_json(folder / "config.json")
    model_type = _model_type(folder, config)
    if model_type.split("-")[0] not in {t.split("-")[0] for t in SEQ2SEQ_TYPES}:
        return None
    return ModelFolder(folder.name, folder, "hf", model_type, _pairs(folder, model_type))


def discover(models_dir: str | Path | None, kind: str | None = None) -> list[ModelFolder]:
    """Every usable model folder directly under ``models_dir`` (of ``kind`` when given)."""
    if not models_dir:
        return []
    root = Path(models_dir)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        model = describe(folder)
        if model is not None and (kind is None or model.kind == kind):
            found.append(model)
    return found


def find_model(models_dir: str | Path | None, kind: str, source: str,
               target: str) -> ModelFolder | None:
    """The first model of ``kind`` translating ``source`` → ``target`` (by folder name)."""
    for model in discover(models_dir, kind):
        if (source, target) in model.pairs:
            return model
    return None


def convert(models_dir: str | Path, name: str, quantization: str = "int8",
            force: bool = False) -> Path:
    """Convert the Hugging Face model ``models_dir/name`` to CTranslate2 in ``name-ct2``.

    Uses CTranslate2's own ``TransformersConverter``; the tokenizer files are copied
    beside the converted model and the language pairs recorded in ``workbench.json``,
    so the ``ct2`` engine needs nothing from the original folder.
    """
    source = Path(models_dir) / name
    model = describe(source)
    if model is None or model.kind != "hf":
        raise ModelError(msg("No Hugging Face translation model in %(source)s (expected "
                             "config.json and tokenizer files; see models/README.md).",
                             source=source))
    target = Path(models_dir) / f"{name}-ct2"
    if target.exists() and not force:
        raise ModelError(msg("%(target)s already exists; use --force to replace it.",
                             target=target))
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ModelError(msg("CTranslate2 is not installed: pip install 'signbench-workbench"
                             "[neural]'.")) from error
    copy_files = [f for f in TOKENIZER_FILES if (source / f).exists()]
    try:
        with warnings.catch_warnings():
            # The converter loads the tokenizer, which asks for the optional sacremoses.
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            TransformersConverter(str(source), copy_files=copy_files).convert(
                str(target), quantization=None if quantization == "none" else quantization,
                force=True)
    except (ValueError, OSError, NotImplementedError) as error:
        if target.exists():
            shutil.rmtree(target)
        raise ModelError(msg("Could not convert %(name)s: %(error)s", name=name,
                             error=error)) from error
    info = {"source_model": name, "model_type": model.model_type,
            "quantization": quantization, "pairs": [list(p) for p in model.pairs]}
    (target / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return target


def fetch(models_dir: str | Path, name: str, repo_id: str | None = None,
          force: bool = False) -> Path:
    """Download a model from the Hugging Face hub into ``models_dir/name``.

    ``name`` like ``opus-mt-zh-en`` means the repository ``Helsinki-NLP/opus-mt-zh-en``.
    Without a network (or with ``HF_HUB_OFFLINE=1``) this fails with a message that says
    how to install the model by hand instead.
    """
    repo_id = repo_id or (name if "/" in name else f"Helsinki-NLP/{name}")
    folder = Path(models_dir) / repo_id.split("/")[-1]
    if describe(folder) is not None and not force:
        raise ModelError(msg("%(folder)s already holds a model; use --force to download again.",
                             folder=folder))
    try:
        from huggingface_hub import snapshot_download
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ModelError(msg("huggingface_hub is not installed: pip install "
                             "'signbench-workbench[neural]'.")) from error
    manual = (f"Download {repo_id} on a machine with internet access and copy its files "
              f"into {folder} (see models/README.md).")
    try:
        snapshot_download(repo_id=repo_id, local_dir=str(folder), allow_patterns=[
            "*.json", "*.spm", "*.model", "*.safetensors", "*.txt", "pytorch_model.bin"])
    except Exception as error:
        detail = str(error).splitlines()[0][:200] if str(error) else "no network"
        raise ModelError(msg("Could not download %(repo_id)s from the Hugging Face hub "
                             "(%(name)s: %(detail)s). %(manual)s", repo_id=repo_id,
                             name=type(error).__name__, detail=detail, manual=manual)) from error
    if describe(folder) is None:
        raise ModelError(msg("%(repo_id)s was downloaded to %(folder)s but is not a seq2seq "
                             "translation model the workbench can use.", repo_id=repo_id,
                             folder=folder))
    return folder
