"""Plugins: the hooks gather the built-ins in a fixed order whatever was imported first,
refuse clashes and wrong answers clearly, and an installed outside package (the example
in tests/plugins/) adds its check, engine and command to the real ``workbench`` command.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from flask import Blueprint

from workbench import create_app, plugins
from workbench.checks import run_checks
from workbench.checks.base import Check
from workbench.hooks import hookimpl, specification_names
from workbench.plugins import PluginError
from workbench.web import NavItem
from workbench.web.home import WaitingItem
from workbench.web.security import permission_required
from tests.support.accounts import sign_in_session

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = Path(__file__).resolve().parent / "plugins" / "signbench_example"

BUILTIN_CHECKS = ["untranslated", "glossary", "meaning", "polarity", "chinglish", "calque",
                  "grammar", "spelling", "pinyin", "near_miss", "pinyin_generic",
                  "punctuation.full_width", "punctuation.edge_space", "punctuation.double_space",
                  "punctuation.final_stop", "punctuation.spaced_hyphen",
                  "punctuation.spaced_slashes", "punctuation.colon_space",
                  "punctuation.comma_space", "punctuation.space_before",
                  "punctuation.spaced_apostrophe", "punctuation.brackets",
                  "capitals", "numbers", "pattern", "consistency", "machine_draft", "placeholders",
                  "memory_match"]


def _python(code: str, *, extra_path: Path | None = None, **env: str) -> str:
    """Run ``code`` in a fresh interpreter on this worktree's code; its standard output."""
    path = [str(PROJECT)] + ([str(extra_path)] if extra_path else [])
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path), **env)
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


class _Check(Check):
    severity = "warning"
    name = "stand-in"
    explanation = "stand-in"

    def check(self, source, target, lang, ctx):
        return [self.finding("flagged by " + self.id)] if "FLAG" in target else []


def _check_class(check_id: str, **attributes) -> type[Check]:
    return type(f"Check_{check_id}", (_Check,), {"id": check_id, **attributes})


class ChecksPlugin:
    """A plugin object answering ``register_checks`` with the given classes."""

    def __init__(self, *classes: type) -> None:
        self.classes = list(classes)

    @hookimpl
    def register_checks(self) -> list[type]:
        return self.classes


# --- the built-ins -----------------------------------------------------------------------------

def test_every_hook_is_specified_and_the_builtins_answer_in_a_fixed_order():
    assert specification_names() == [
        "register_checks", "register_engines", "register_export_kinds",
        "register_document_formats", "register_job_kinds", "register_commands",
        "register_blueprints", "seed_steps", "nav_items", "home_cards"]
    assert list(plugins.checks()) == BUILTIN_CHECKS
    assert list(plugins.engines()) == ["rules", "marian", "ct2", "llm"]
    assert list(plugins.export_kinds()) == ["sheet-xlsx", "sheet-csv", "proofs", "package",
                                            "tmx", "tbx", "xliff"]
    assert list(plugins.document_formats()) == ["docx", "txt", "md", "xliff"]
    assert set(plugins.job_kinds()) == {
        "export", "documents.draft", "inventory.draft", "inventory.recheck", "review.check",
        "glossary.recheck", "survey.read", "reports.triage"}
    assert set(plugins.commands()) == {
        "check", "demo", "doc", "draft", "engines", "export", "glossary", "import", "inventory",
        "jobs", "llm", "model", "ocr", "report", "review", "run", "survey", "worker"}
    assert [step.name for step in plugins.seed_steps()] == ["glossary", "inventory-demo"]
    assert [item.endpoint for item in plugins.nav_items()] == [
        "home.index", "glossary.index", "inventory.signs", "review.queue", "reports.index",
        "documents.index", "exports.index", "engines.index", "admin.users", "jobs.index",
        "audit.index"]
    assert [bp.name for bp in plugins.blueprints()] == [
        "auth", "home", "admin", "audit", "glossary", "inventory", "review", "review_tools",
        "exports", "engines", "documents", "jobs", "public", "reports", "api", "survey"]
    described = {info.name: info for info in plugins.describe()}
    assert all(described[name].builtin for name in plugins.BUILTIN_PLUGINS)
    assert described["workbench.checks.plugin"].hooks == (
        "register_checks", "register_job_kinds", "register_commands")


def test_the_checks_do_not_depend_on_what_was_imported_first():
    # The placeholder check used to be registered only when workbench.documents was imported
    # before the checks: 15 or 16 checks depending on import order.
    listing = "from workbench import plugins; print(' '.join(plugins.checks()))"
    plain = _python(listing).split()
    documents_first = _python("import workbench.documents.store, workbench.checks.placeholders, "
                              "workbench.checks.capitals, workbench.inventory.demo\n" + listing)
    assert plain == documents_first.split() == BUILTIN_CHECKS


# --- registering, ordering, refusing -----------------------------------------------------------

def test_plugins_come_after_the_builtins_by_name_and_leave_when_unregistered():
    with plugins.installed(ChecksPlugin(_check_class("zz_late")), name="zeta"), \
            plugins.installed(ChecksPlugin(_check_class("aa_early")), name="alpha"):
        assert list(plugins.checks())[-2:] == ["aa_early", "zz_late"]
        findings = run_checks(None, "出口", "Exit FLAG", "en")
        assert {"aa_early", "zz_late"} <= {f.check for f in findings}
    assert list(plugins.checks()) == BUILTIN_CHECKS
    assert "zz_late" not in {f.check for f in run_checks(None, "出口", "Exit FLAG", "en")}


def test_a_check_switched_off_by_id_stays_off_for_plugin_checks_too(db, users):
    from workbench.checks import set_check_enabled

    with plugins.installed(ChecksPlugin(_check_class("office_style")), name="office"):
        assert "office_style" in {f.check for f in run_checks(db, "出口", "Exit FLAG", "en")}
        set_check_enabled(db, users["admin"], "office_style", False)
        assert "office_style" not in {f.check for f in run_checks(db, "出口", "Exit FLAG", "en")}


def test_two_things_with_one_id_are_refused_naming_both_plugins():
    with plugins.installed(ChecksPlugin(_check_class("glossary")), name="office"):
        with pytest.raises(PluginError) as raised:
            plugins.checks()
    message = str(raised.value)
    assert "“glossary”" in message and "workbench.checks.plugin" in message \
        and "office" in message
    assert list(plugins.checks()) == BUILTIN_CHECKS  # gathered again once it is gone


@pytest.mark.parametrize("answer, expected", [
    (_check_class("bad_severity", severity="fatal"), "severity"),
    (_check_class("an_instance")(), "subclasses of Check"),
    (_check_class(""), "subclasses of Check"),
])
def test_a_wrong_answer_is_refused_with_what_was_expected(answer, expected):
    with plugins.installed(ChecksPlugin(answer), name="careless"):
        with pytest.raises(PluginError, match=expected) as raised:
            plugins.checks()
    assert "careless" in str(raised.value)


def test_a_misspelt_hook_or_a_wrapper_is_refused():
    class Misspelt:
        @hookimpl
        def register_check(self):
            return []

    with pytest.raises(PluginError, match="register_check"):
        plugins.register(Misspelt(), name="misspelt")
    assert plugins.manager().get_plugin("misspelt") is None

    class Wrapper:
        @hookimpl(wrapper=True)
        def register_checks(self):
            return (yield)

    with plugins.installed(Wrapper(), name="wrapper"):
        with pytest.raises(PluginError, match="wraps the hook"):
            plugins.checks()


# --- web: pages, navigation, home cards --------------------------------------------------------

office = Blueprint("office", __name__, url_prefix="/office")


@office.route("/notes")
@permission_required("review.view")
def notes() -> str:
    return "office notes"


class OfficeWebPlugin:
    @hookimpl
    def register_blueprints(self):
        return [office]

    @hookimpl
    def nav_items(self):
        return [NavItem("office.notes", "Office notes", "review.view", order=35)]

    @hookimpl
    def home_cards(self, user):  # a hook implementation may leave out arguments
        from flask import url_for

        return [WaitingItem(f"Notes for {user.username}", 3, url_for("office.notes"))]


def test_a_plugin_adds_a_page_a_menu_link_and_a_home_card(app_config, db, users):
    with plugins.installed(OfficeWebPlugin(), name="office-web"):
        app = create_app(app_config)
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert client.get("/office/notes").status_code in (302, 401)  # sign-in first
        sign_in_session(client, db, users["reviewer"])
        home = client.get("/").get_data(as_text=True)
        assert "Notes for reviewer" in home and 'href="/office/notes"' in home
        menu = [item.endpoint for item in plugins.nav_items()]
        assert menu.index("inventory.signs") < menu.index("office.notes") \
            < menu.index("review.queue")
        assert client.get("/office/notes").get_data(as_text=True) == "office notes"
    assert "office.notes" not in [item.endpoint for item in plugins.nav_items()]


# --- the CLI -----------------------------------------------------------------------------------

def test_a_plugin_command_may_not_hide_a_core_command(run_cli):
    @click.command("init")
    def fake_init() -> None:
        """Not the real init."""

    class Hijack:
        @hookimpl
        def register_commands(self):
            return [fake_init]

    with plugins.installed(Hijack(), name="hijack"):
        result = run_cli("init")
    assert result.exit_code == 2 and "init" in result.stderr and "already" in result.stderr


def test_plugins_command_lists_builtins_with_their_hooks(run_cli):
    result = run_cli("plugins", "--json")
    assert result.exit_code == 0, result.stderr
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["name"] for item in listed] == list(plugins.BUILTIN_PLUGINS)
    assert "register_engines" in listed[2]["hooks"] and listed[2]["builtin"]


# --- an installed outside plugin, end to end ---------------------------------------------------

@pytest.fixture(scope="module")
def example_installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/plugins/signbench_example installed into a temporary folder (never the venv)."""
    work = tmp_path_factory.mktemp("example-plugin")
    source = work / "source"
    shutil.copytree(EXAMPLE, source)  # the build writes build/ and *.egg-info beside it
    target = work / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(source)],
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"), capture_output=True,
        text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    entry_points = next(target.glob("signbench_example-*.dist-info")) / "entry_points.txt"
    assert "[signbench]\nexample = signbench_example" in entry_points.read_text()
    return target


def _workbench(site: Path | None, db_path: Path, *args: str,
               stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    path = [str(PROJECT)] + ([str(site)] if site else [])
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path), WORKBENCH_DB=str(db_path),
                       WORKBENCH_INSTANCE=str(db_path.parent), WORKBENCH_CLI_LANGUAGE="en")
    return subprocess.run([sys.executable, "-m", "workbench", *args], env=environment,
                          input=stdin, capture_output=True, text=True, timeout=300, check=False)


def test_an_installed_plugin_adds_its_check_engine_and_command(example_installed, db_path):
    def run(*args: str, stdin: str | None = None) -> str:
        done = _workbench(example_installed, db_path, *args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = [json.loads(line) for line in run("plugins", "--json").splitlines()]
    example = next(item for item in listed if item["name"] == "example")
    assert (example["builtin"], example["package"], example["version"]) == (
        False, "signbench-example", "0.1.0")
    assert example["hooks"] == ["register_checks", "register_engines", "register_commands"]

    assert "example_toilets" in run("check", "list")
    checked = json.loads(run("check", "-", stdin="厕所\tToilet\n"))
    assert [(f["check"], f["start"], f["end"]) for f in checked["findings"]] == [
        ("example_toilets", 0, 6)]
    assert json.loads(run("check", "-", stdin="厕所\tToilets\n"))["findings"] == []

    assert "example  Office word list (example plugin)  [zh→en]" in run("engines")
    drafts = db_path.parent / "texts.txt"
    drafts.write_text("出口\n厕所\n", encoding="utf-8")
    assert run("draft", "--engine", "example", "--no-memory", str(drafts)).splitlines() == [
        "Way Out", "Toilets"]

    assert "example-hello" in run("--help")
    assert run("example-hello") == "Hello from the example plugin: 20 counties.\n"

    # Without the package on the path, none of it is there (the test above is not vacuous).
    plain = _workbench(None, db_path, "check", "list")
    assert plain.returncode == 0 and "example_toilets" not in plain.stdout


def test_a_broken_installed_plugin_stops_the_command_with_a_clear_message(tmp_path, db_path):
    site = tmp_path / "site"
    dist = site / "signbench_broken-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: signbench-broken\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text("[signbench]\nbroken = signbench_missing_module\n")
    done = _workbench(site, db_path, "check", "list")
    assert done.returncode == 2
    assert "could not be loaded" in done.stderr and "signbench_missing_module" in done.stderr
