"""What the neural engines share: model choice, batching, a cache, glossary enforcement.

A subclass names its model ``kind`` (``hf`` or ``ct2``), loads a model folder once
per process (:meth:`NeuralEngine.load`) and translates a batch of already masked
texts (:meth:`NeuralEngine.translate_raw`). Everything else is here.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, ClassVar

from workbench.glossary.match import Glossary, load_glossary
from workbench.messages import MessageLike, msg
from workbench.mt.base import Draft, Engine, TermUse, empty_draft
from workbench.mt.enforce import translate_enforced
from workbench.mt.models import ModelFolder, discover, find_model

BATCH_SIZE = 32
CACHE_SIZE = 4096
# Loaded models by (kind, folder): one instance per process, however many engines are built.
_loaded: dict[tuple[str, str], Any] = {}
_load_lock = threading.Lock()
# (model id, source, target, glossary version, text) → (text, score, glossary terms used).
CacheKey = tuple[str, str, str, int, str]
Translation = tuple[str, float | None, list[TermUse]]


class TranslationCache:
    """A small thread-safe LRU cache of recent translations."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[CacheKey, Translation] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: CacheKey) -> Translation | None:
        """The cached value, marked as recently used, or None."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: CacheKey, value: Translation) -> None:
        """Store a value, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests, benchmarks)."""
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


CACHE = TranslationCache()


class NeuralEngine(Engine):
    """Base of the neural engines: one loaded model per folder and process."""

    kind: ClassVar[str] = ""
    library: ClassVar[str] = ""

    @classmethod
    def library_missing(cls) -> MessageLike | None:
        """The reason the backing library cannot be used, or None."""
        raise NotImplementedError

    @classmethod
    def availability(cls, settings: dict[str, Any]) -> MessageLike | None:
        missing = cls.library_missing()
        if missing:
            return missing
        if not discover(settings.get("MODELS_DIR"), cls.kind):
            where = settings.get("MODELS_DIR") or "models/"
            if cls.kind == "ct2":
                return msg("No CTranslate2 model (NAME-ct2) folder in %(folder)s (see "
                           "models/README.md).", folder=where)
            return msg("No translation model folder in %(folder)s (see models/README.md).",
                       folder=where)
        return None

    @classmethod
    def language_pairs(cls, settings: dict[str, Any]) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for model in discover(settings.get("MODELS_DIR"), cls.kind):
            pairs.extend(p for p in model.pairs if p not in pairs)
        return pairs

    @property
    def threads(self) -> int:
        """CPU threads for inference (MT_THREADS)."""
        return max(1, int(self.settings.get("MT_THREADS") or 1))

    def model_for(self, source: str, target: str) -> ModelFolder | None:
        """The model folder translating ``source`` → ``target``."""
        return find_model(self.settings.get("MODELS_DIR"), self.kind, source, target)

    def loaded(self, model: ModelFolder) -> Any:
        """The model loaded once per process (and per folder)."""
        key = (self.kind, str(model.path.resolve()))
        value = _loaded.get(key)
        if value is None:
            with _load_lock:
                value = _loaded.get(key)
                if value is None:
                    value = self.load(model)
                    _loaded[key] = value
        return value

    def load(self, model: ModelFolder) -> Any:
        """Load a model folder (called once per folder and process)."""
        raise NotImplementedError

    def translate_raw(self, loaded: Any, model: ModelFolder, texts: list[str], source: str,
                      target: str) -> list[tuple[str, float | None]]:
        """Translate one batch of (masked) texts: (text, confidence 0–1 or None) each."""
        raise NotImplementedError

    def model_id(self, model: ModelFolder) -> str:
        """The model identity recorded in drafts."""
        return f"{model.name} ({self.library})"

    def glossary(self, source: str, target: str) -> Glossary | None:
        """The glossary whose terms are enforced (None without a database)."""
        return load_glossary(self.db, source, target) if self.db is not None else None

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Draft]:
        """Drafts for ``texts`` in order: cached ones reused, the rest in batches of 32."""
        model = self.model_for(source, target)
        if model is None:
            reason = msg("No %(kind)s model translates %(source)s → %(target)s.",
                         kind=self.kind, source=source, target=target)
            return [empty_draft(self.id, reason) for _ in texts]
        glossary = self.glossary(source, target)
        # Enforced terms make a draft depend on the glossary too: a glossary change
        # (a new version) must not be answered from the cache.
        version = glossary.version if glossary is not None else -1
        model_id = self.model_id(model)
        results: list[Translation | None] = [None] * len(texts)
        todo: dict[str, list[int]] = {}
        for index, text in enumerate(texts):
            if not text or not text.strip():
                continue
            cached = CACHE.get((model_id, source, target, version, text))
            if cached is not None:
                results[index] = cached
            else:
                todo.setdefault(text, []).append(index)
        if todo:
            loaded = self.loaded(model)
            unique = list(todo)

            def translate(batch: list[str]) -> list[tuple[str, float | None]]:
                out: list[tuple[str, float | None]] = []
                for start in range(0, len(batch), BATCH_SIZE):
                    out.extend(self.translate_raw(loaded, model, batch[start:start + BATCH_SIZE],
                                                  source, target))
                return out

            enforced = translate_enforced(unique, glossary, translate)
            for text, result in zip(unique, enforced, strict=True):
                CACHE.put((model_id, source, target, version, text), result)
                for index in todo[text]:
                    results[index] = result
        drafts = []
        for translation in results:
            if translation is None:
                drafts.append(empty_draft(self.id, msg("The source text is empty."), model_id))
                continue
            text, score, terms = translation
            if not text.strip():
                drafts.append(empty_draft(self.id, msg("The model returned an empty translation."),
                                          model_id))
                continue
            drafts.append(Draft(text=text, engine=self.id, model=model_id,
                                score=None if score is None else round(score, 3),
                                terms=list(terms)))
        return drafts
