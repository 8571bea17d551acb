"""``workbench ocr FILE…`` (read sign photos) and ``workbench survey read BATCH``."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from workbench.cli import Env, pass_env
from workbench.errors import ValidationError, WorkbenchError
from workbench.messages import Translator, cli_translator, msg, nmsg, render


@click.command("ocr")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--questions/--no-questions", default=True, show_default=True,
              help="Also print what the officer would be asked (ambiguous languages…).")
@pass_env
def ocr(env: Env, files: tuple[str, ...], questions: bool) -> None:
    """Read sign photos: one JSON line per FILE with the Chinese, the foreign texts and
    the recognized lines (text, box, confidence, script).

    A file that is not a readable JPEG, PNG or WebP image gets an "error" line;
    the exit code is then 1. Kana, Hangul and Cyrillic are not read.
    """
    from workbench.ocr import read_image

    translator = cli_translator()
    failed = 0
    for name in files:
        path = Path(name)
        try:
            if not path.is_file():
                raise WorkbenchError(msg("No such file."))
            result = read_image(path.read_bytes(), env.settings, name=path.name)
        except WorkbenchError as error:
            failed += 1
            click.echo(json.dumps({"file": name, "error": _reason(error, translator)},
                                  ensure_ascii=False))
            continue
        data = result.to_dict(translator)
        line = {"file": name, "zh": data["zh"], "foreign": data["foreign"],
                "lines": [{k: item[k] for k in ("text", "box", "confidence", "script")}
                          for item in data["lines"]]}
        if questions:
            line["questions"] = [{"kind": q["kind"], "field": q["field"], "text": q["text"]}
                                 for q in data["questions"]]
        click.echo(json.dumps(line, ensure_ascii=False))
    if failed:
        raise WorkbenchError(nmsg("%(n)s file could not be read.", "%(n)s files could not be "
                                  "read.", failed))


def _reason(error: WorkbenchError, translator: Translator) -> str:
    """The error as one line: the reasons of a validation error, else its message."""
    if isinstance(error, ValidationError) and error.problems:
        return "; ".join(render(problem.reason, translator) for problem in error.problems)
    return error.render(translator)


@click.group("survey")
def survey() -> None:
    """Survey batches (photos uploaded together on the web)."""


@survey.command("read")
@click.argument("batch_id", type=int)
@pass_env
def survey_read(env: Env, batch_id: int) -> None:
    """Run OCR on the photos of a batch not read yet (resumes an interrupted run)."""
    from workbench.inventory import survey as batches

    with click.progressbar(length=1, label=msg("OCR").render(cli_translator()),
                           file=sys.stderr) as bar:
        def progress(done: int, total: int, message: Any = None) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        read = batches.read_batch(env.db, batch_id, env.settings, progress)
    click.echo(msg("Read %(n)s photos.", n=read).render(cli_translator()))
