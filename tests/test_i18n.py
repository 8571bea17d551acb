"""Interface language: Chinese and English, chosen per user, every string translated."""
import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workbench import auth

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "workbench/translations/zh/LC_MESSAGES/messages.po"


def test_every_marked_string_has_a_chinese_translation():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    method_map = [("workbench/**.py", "python"), ("workbench/web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    missing = []
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        if entry is None or not entry.string or (isinstance(entry.string, tuple)
                                                 and not all(entry.string)):
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, "Run `make messages` and translate:\n" + "\n".join(sorted(set(missing)))


def test_browser_language_chooses_interface(app):
    anonymous = app.test_client()
    chinese = anonymous.get("/auth/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in chinese.data.decode()
    english = anonymous.get("/auth/login", headers={"Accept-Language": "en-US"})
    assert "Sign in" in english.data.decode()


def test_user_choice_is_saved_and_wins(login, db, users):
    staff = login("staff")
    staff.post("/auth/locale", data={"locale": "zh", "next": "/"})
    assert auth.find_user(db, "staff").locale == "zh"
    page = staff.get("/", headers={"Accept-Language": "en"}).data.decode()
    assert "待办事项" in page


def test_language_names_come_from_babel(app):
    from workbench.web.i18n import language_name

    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert language_name("ru") == "俄语"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert language_name("ko") == "Korean"


# --- domain messages ------------------------------------------------------------------------

ERROR_ROOTS = {"WorkbenchError"}
# Helpers that build problems (their first argument is the reason shown to the user).
PROBLEM_BUILDERS = {"Problem", "FileProblem", "problem", "_problem"}
MESSAGE_KEYWORDS = {"message", "reason", "summary"}


def _workbench_trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted((ROOT / "workbench").rglob("*.py"))}


def _error_class_names(trees: dict[Path, ast.Module]) -> set[str]:
    """Every class that derives from WorkbenchError, found in the source (no imports)."""
    names = set(ERROR_ROOTS)
    classes = [node for tree in trees.values() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for node in classes:
            bases = {base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                     for base in node.bases}
            if node.name not in names and bases & names:
                names.add(node.name)
                grew = True
    return names


def _is_english_literal(node: ast.AST) -> bool:
    """A plain string or f-string (or a %/format of one): English text, not a message id."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(character.isalpha() for character in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.left, (ast.Constant, ast.JoinedStr)):
        return _is_english_literal(node.left)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format" and isinstance(node.func.value, ast.Constant))


def _called_name(call: ast.Call) -> tuple[str, bool]:
    """(name of what is called, whether it is ``X.single``)."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, False
    if isinstance(func, ast.Attribute):
        if func.attr == "single" and isinstance(func.value, ast.Name):
            return func.value.id, True
        return func.attr, False
    return "", False


def _user_messages(call: ast.Call, name: str, single: bool) -> list[ast.AST]:
    """The arguments of a call that become what the user reads."""
    keywords = [keyword.value for keyword in call.keywords if keyword.arg in MESSAGE_KEYWORDS]
    if name == "ValidationError" and not single:
        return keywords  # its first argument is the list of problems
    return call.args[:1] + keywords


def find_english_errors(trees: dict[Path, ast.Module]) -> list[str]:
    """Calls that give a user-facing error or problem a plain English string."""
    watched = _error_class_names(trees) | PROBLEM_BUILDERS
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, single = _called_name(node)
            if name not in watched:
                continue
            for argument in _user_messages(node, name, single):
                if _is_english_literal(argument):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                                 f"{'.single' if single else ''}")
    return found


def test_domain_errors_carry_message_ids_not_english_text():
    found = find_english_errors(_workbench_trees())
    assert not found, ("Give these errors msg(\"…%(name)s…\", name=…) instead of English text "
                       "(see workbench/messages.py):\n" + "\n".join(found))


def test_the_scan_finds_english_errors():
    # The test above must be able to fail: an f-string, a plain string and a summary.
    source = ("class NotFound(WorkbenchError):\n    pass\n"
              "class ValidationError(WorkbenchError):\n    pass\n"
              "class Mine(NotFound):\n    pass\n"
              "def f(x):\n"
              "    raise Mine(f'No {x}.')\n"
              "    raise ValidationError.single('Bad.', column='x')\n"
              "    raise ValidationError([], summary='Bad input.')\n"
              "    problems.append(Problem(msg('Fine.')))\n"
              "    raise ValidationError([Problem(msg('Fine %(x)s', x=x))])\n")
    trees = {ROOT / "workbench/example.py": ast.parse(source)}
    assert [line.rsplit(": ", 1)[1] for line in find_english_errors(trees)] == [
        "Mine", "ValidationError.single", "ValidationError"]


def test_every_vocabulary_label_has_chinese():
    from workbench.vocabulary import ALL

    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    missing = []
    for vocabulary in ALL.values():
        for term in vocabulary:
            entry = catalog.get(term.label)
            if entry is None or not entry.string:
                missing.append(f"{vocabulary.name}.{term.code}: {term.label!r}")
    assert not missing, "Vocabulary labels without Chinese:\n" + "\n".join(missing)


def test_labels_render_in_chinese_at_display_time():
    from workbench.messages import translator_for
    from workbench.vocabulary import ENGINES, SIGN_STATUSES, UNIT_STATES

    chinese = translator_for("zh")
    assert SIGN_STATUSES.text("drafting", chinese) == "翻译中"
    assert UNIT_STATES.text("machine_draft", chinese) == "机器初稿"
    assert ENGINES.text("rules", chinese).startswith("规则引擎")
    assert "qwen" in ENGINES.text("llm:qwen", chinese)  # a configured endpoint by its name
    assert SIGN_STATUSES.text("unknown-code") == "unknown-code"
