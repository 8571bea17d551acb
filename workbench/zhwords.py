"""Chinese words: the one jieba set-up of the process, shared by every user of it.

jieba keeps one global dictionary. The rule engine teaches it the glossary's
names (:func:`add_words`), the QA checks ask where words begin and end, the
document tools cut sentences into candidate terms, and the review screens show a
glossary match in prose only where it covers whole words. All of them go
through this module, so jieba is initialized once (quietly: its first use builds
a prefix dictionary and logs to stderr), under a lock (its lazy initialization is
not thread-safe), and cached results never outlive a dictionary change: every
cache key carries :func:`generation`, which :func:`add_words` bumps.
"""
from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Collection, Iterable
from typing import Any

_lock = threading.Lock()
_jieba: Any = None
_known_words: set[str] = set()
_generation = 0


def segmenter() -> Any:
    """The jieba module, initialized once per process."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.ERROR)
                logging.getLogger("jieba").setLevel(logging.ERROR)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def generation() -> int:
    """How many times the dictionary changed in this process (part of every cache key)."""
    return _generation


def add_words(words: Iterable[str], frequency: int = 50_000) -> int:
    """Teach the dictionary words (glossary names) so texts split as the glossary says.

    Words of one character or longer than 12 are left out; returns how many were new.
    """
    global _generation
    jieba = segmenter()
    added = 0
    with _lock:
        for word in words:
            if word not in _known_words and 1 < len(word) <= 12:
                jieba.add_word(word, freq=frequency)
                _known_words.add(word)
                added += 1
        if added:
            _generation += 1
    return added


def words(text: str, hmm: bool = True) -> list[str]:
    """``text`` cut into words (jieba's default mode)."""
    return list(_words(text, hmm, _generation))


@functools.lru_cache(maxsize=65_536)
def _words(text: str, hmm: bool, _dictionary: int) -> tuple[str, ...]:
    return tuple(segmenter().lcut(text, HMM=hmm))


def tagged(text: str, hmm: bool = False) -> tuple[tuple[str, str], ...]:
    """Words of ``text`` with jieba's part-of-speech tags (ns place, n noun, v verb …)."""
    return _tagged(text, hmm, _generation)


@functools.lru_cache(maxsize=20_000)
def _tagged(text: str, hmm: bool, _dictionary: int) -> tuple[tuple[str, str], ...]:
    segmenter()
    import jieba.posseg

    with _lock:  # posseg builds its own tables lazily on first use
        return tuple((pair.word, pair.flag) for pair in jieba.posseg.lcut(text, HMM=hmm))


def word_boundaries(text: str, hmm: bool = True) -> frozenset[int]:
    """Positions where a word begins or ends (0 and ``len(text)`` included)."""
    return _boundaries(text, hmm, _generation)


@functools.lru_cache(maxsize=65_536)
def _boundaries(text: str, hmm: bool, _dictionary: int) -> frozenset[int]:
    cuts, position = {0}, 0
    for word in _words(text, hmm, _dictionary):
        position += len(word)
        cuts.add(position)
    return frozenset(cuts)


def covers_whole_words(boundaries: Collection[int], start: int, end: int) -> bool:
    """Whether ``[start, end)`` begins and ends between words (全面 holds no word 面)."""
    return start in boundaries and end in boundaries
