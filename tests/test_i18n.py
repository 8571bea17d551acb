"""Interface language: Chinese and English, chosen per user, every string translated."""
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
