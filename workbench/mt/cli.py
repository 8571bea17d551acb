"""CLI: ``workbench draft``, ``workbench engines``, ``workbench model list|convert|fetch``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

import click

from workbench.cli import Env, pass_env, say, text
from workbench.errors import ValidationError, WorkbenchError
from workbench.glossary.io import decode_text
from workbench.messages import cli_translator, msg, nmsg, render
from workbench.mt import list_engines, models
from workbench.mt.base import DRAFT_PROFILES, PROFILE_SIGN, DraftContext
from workbench.mt.pipeline import draft_texts
from workbench.mt.verify import flag_message


@click.command("draft")
@click.option("--source", "source", default="zh", show_default=True, help="Source language.")
@click.option("--target", "target", default="en", show_default=True, help="Target language.")
@click.option("--engine", default=None,
              help="Engine id (see `workbench engines`); default: the configured MT_ENGINE.")
@click.option("--format", "output_format", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="One draft per line, or one JSON object per line.")
@click.option("--no-memory", is_flag=True, help="Skip the translation memory.")
@click.option("--profile", type=click.Choice(DRAFT_PROFILES), default=PROFILE_SIGN,
              show_default=True, help="Sign texts or document prose (chooses the engine "
                                      "configured for it: MT_ENGINE_SIGNS, MT_ENGINE_PROSE).")
@click.option("--function", "sign_function", default=None,
              help="The signs' function (prohibition, warning, …), for engines that use it.")
@click.argument("file", type=click.File("rb"))
@pass_env
def draft(env: Env, source: str, target: str, engine: str | None, output_format: str,
          no_memory: bool, profile: str, sign_function: str | None, file: BinaryIO) -> None:
    """Draft translations of FILE (one source text per line, `-` for stdin).

    Writes exactly one line per input line, in order; an input line that gets no
    draft gives an empty line (text) or an object with the reason (jsonl).
    """
    # UTF-8 (with or without BOM), UTF-16 with BOM or GB18030, as for glossary files.
    content, _encoding, problem = decode_text(file.read(), getattr(file, "name", "input"))
    if problem is not None or content is None:
        if problem is not None:
            raise ValidationError([problem])
        raise WorkbenchError(msg("The input cannot be decoded."))
    # Only \n (or \r\n) ends a line: the output must line up with `wc -l` of the input.
    texts = content.replace("\r\n", "\n").split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    drafts = draft_texts(env.db, texts, source, target, engine=engine,
                         settings=env.settings, use_memory=not no_memory, profile=profile,
                         contexts=[DraftContext(function=sign_function)] * len(texts))
    translator = cli_translator()
    for line, result in zip(texts, drafts, strict=True):
        if output_format == "jsonl":
            record = {"source": line, "text": result.text, "engine": result.engine,
                      "model": result.model, "score": result.score, "origin": result.origin,
                      "terms": [{"source": t.source, "target": t.target,
                                 "concept_id": t.concept_id} for t in result.terms],
                      "reason": render(result.reason, translator) or None,
                      "unknown": [{"source": span.source, "start": span.start, "end": span.end}
                                  for span in result.unknown],
                      "tm_id": result.tm_id, "tm_score": result.tm_score,
                      "prompt_version": result.prompt_version,
                      "flags": [dict(flag, message=flag_message(flag).render(translator))
                                for flag in result.flags]}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            # A line break inside a draft would shift every later line.
            click.echo(" ".join(result.text.split()))


@click.command("engines")
@click.option("--all", "show_all", is_flag=True, help="Also list engines that cannot run here.")
@pass_env
def engines(env: Env, show_all: bool) -> None:
    """List the drafting engines, their language pairs, and why one is unavailable."""
    configured = env.settings.get("MT_ENGINE") or "rules"
    hidden = 0
    for info in list_engines(env.settings, include_unavailable=True):
        if not info.available and not show_all:
            hidden += 1
            continue
        mark = "*" if info.id == configured else " "
        pairs = ", ".join(f"{s}→{t}" for s, t in info.pairs) or "-"
        if len(info.pairs) > 6:
            pairs = ", ".join(f"{s}→{t}" for s, t in info.pairs[:6]) + ", …"
        state = "" if info.available else \
            text(msg("  (unavailable: %(reason)s)", reason=info.reason or ""))
        where = text(msg("  → texts sent to %(destination)s", destination=info.destination)) \
            if info.available and info.destination else ""
        click.echo(f"{mark} {info.id:<8} {render(info.name, cli_translator())}  "
                   f"[{pairs}]{state}{where}")
    say(msg("(* = configured engine, MT_ENGINE=%(engine)s; models: %(models)s)",
            engine=configured, models=str(env.settings.get("MODELS_DIR"))))
    if hidden:
        say(nmsg("(%(n)s more needs a model folder or a library: workbench engines --all)",
                 "(%(n)s more need a model folder or a library: workbench engines --all)",
                 hidden))


@click.group("model")
def model() -> None:
    """Neural translation models: list, fetch, convert (see models/README.md)."""


@model.command("list")
@pass_env
def model_list(env: Env) -> None:
    """List the model folders found in MODELS_DIR."""
    found = models.discover(env.settings.get("MODELS_DIR"))
    if not found:
        say(msg("No model folders in %(path)s.", path=str(env.settings.get("MODELS_DIR"))))
        return
    for item in found:
        engine = "ct2" if item.kind == "ct2" else "marian"
        pairs = ", ".join(f"{s}→{t}" for s, t in item.pairs[:8]) or text(msg("unknown pairs"))
        more = f" (+{len(item.pairs) - 8})" if len(item.pairs) > 8 else ""
        click.echo(f"{item.name:<32} {engine:<7} {item.model_type:<8} {pairs}{more}")


@model.command("convert")
@click.argument("name")
@click.option("--quantization", default="int8", show_default=True,
              type=click.Choice(["int8", "int8_float32", "int16", "float16", "float32", "none"]))
@click.option("--force", is_flag=True, help="Replace an existing NAME-ct2 folder.")
@pass_env
def model_convert(env: Env, name: str, quantization: str, force: bool) -> None:
    """Convert models/NAME to CTranslate2 in models/NAME-ct2 (for the ct2 engine)."""
    target = models.convert(env.settings["MODELS_DIR"], name, quantization, force=force)
    size = sum(f.stat().st_size for f in Path(target).iterdir() if f.is_file())
    say(msg("Converted %(name)s (%(quantization)s) to %(path)s (%(size)s MB).", name=name,
            quantization=quantization, path=str(target), size=f"{size / 1e6:.1f}"))


@model.command("fetch")
@click.argument("name")
@click.option("--repo", default=None, help="Hub repository (default: Helsinki-NLP/NAME).")
@click.option("--force", is_flag=True, help="Download again into an existing folder.")
@pass_env
def model_fetch(env: Env, name: str, repo: str | None, force: bool) -> None:
    """Download a model from the Hugging Face hub into models/NAME (needs a network)."""
    say(msg("Downloading %(name)s …", name=repo or name), err=True)
    folder = models.fetch(env.settings["MODELS_DIR"], name, repo, force=force)
    say(msg("Installed %(name)s in %(path)s. Convert it for the ct2 engine with: "
            "workbench model convert %(name)s --quantization int8", name=folder.name,
            path=str(folder)))


@click.group("llm")
def llm() -> None:
    """The model-server engine (see README, “Model servers”)."""


@llm.command("cache")
@click.option("--clear", is_flag=True, help="Forget every cached model-server draft.")
@pass_env
def llm_cache(env: Env, clear: bool) -> None:
    """How many model-server drafts are cached (and flagged); --clear forgets them."""
    from workbench.mt.llm import cache

    if clear:
        say(msg("Cleared %(n)s cached drafts.", n=cache.clear(env.db)))
        return
    figures = cache.stats(env.db)
    say(msg("%(drafts)s cached drafts, %(flagged)s of them flagged (a glossary term or a "
            "placeholder the model did not keep).", drafts=figures["drafts"],
            flagged=figures["flagged"]))
