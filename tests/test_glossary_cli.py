"""``workbench glossary …`` commands."""
from __future__ import annotations

from pathlib import Path

from workbench.glossary.model import get_concept

DATA = Path(__file__).parent / "data" / "glossary"


def test_stats_prints_counts_per_language_domain_and_status(run_cli):
    result = run_cli("glossary", "stats")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Per language" in out and "zh Chinese" in out and "en English" in out
    assert "Per domain" in out and "transport" in out
    assert "Per status" in out and "preferred" in out and "forbidden" in out


def test_export_then_import_dry_run_changes_nothing(run_cli, tmp_path):
    for fmt in ("tbx", "csv", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        result = run_cli("glossary", "export", "--format", fmt, "-o", target)
        assert result.exit_code == 0, result.stderr
        assert target.stat().st_size > 1000
        result = run_cli("glossary", "import", target, "--dry-run")
        assert result.exit_code == 0, result.stderr
        assert "would create 0, would update 0" in result.stdout


def test_export_some_languages_to_stdout(run_cli):
    result = run_cli("glossary", "export", "--format", "csv", "--lang", "zh", "--lang", "ru",
                     "-o", "-")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("id,domain,function,source,verified,zh")
    assert ",ru" in header and ",en" not in header


def test_import_and_its_errors(run_cli, db, tmp_path):
    good = tmp_path / "new.csv"
    good.write_text("id,domain,zh,en\ncli-1,general,测试问讯,Test Information\n", encoding="utf-8")
    result = run_cli("glossary", "import", good, "--dry-run")
    assert result.exit_code == 0 and "would create 1" in result.stdout
    result = run_cli("glossary", "import", good)
    assert result.exit_code == 0 and "created 1" in result.stdout
    assert get_concept(db, "cli-1").terms_in("en")[0].text == "Test Information"

    bad = tmp_path / "bad.csv"
    bad.write_text("id,domain,zh,xx\ncli-2,general,测试,Foo\ncli-2,general,测试二,Bar\n",
                   encoding="utf-8")
    result = run_cli("glossary", "import", bad)
    assert result.exit_code == 1
    assert "row 1, column 'xx': Unknown language" in result.stderr
    assert db.execute("SELECT count(*) FROM glossary_concepts WHERE id = 'cli-2'"
                      ).fetchone()[0] == 0


def test_load_folder_is_idempotent(run_cli, tmp_path):
    result = run_cli("glossary", "load", DATA / "folder")
    assert result.exit_code == 0, result.stderr
    assert "created 5" in result.stdout
    again = run_cli("glossary", "load", DATA / "folder")
    assert "created 0, updated 0, unchanged 5" in again.stdout


def test_load_reports_file_line_and_column(run_cli, tmp_path):
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "one.csv").write_text("id,domain,zh,en\nx-1,general,入口,Entrance\n"
                                    "x-2,general,出口,\n", encoding="utf-8")
    (folder / "two.csv").write_text("id,domain,zh,en\nx-1,general,问讯,Information\n",
                                    encoding="utf-8")
    result = run_cli("glossary", "load", folder)
    assert result.exit_code == 1
    assert "two.csv, row 2, column 'id': Duplicate concept id (first in one.csv on line 2)" \
        in result.stderr
