"""Password and username rules: length, repetition, common passwords, look-alikes, formulas."""
from __future__ import annotations

import pytest

from workbench import auth, credentials
from workbench.errors import ValidationError
from tests.support.accounts import PASSWORD


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "            ", "\t\t\t\t\t\t\t\t\t\t\t\t", "abcabcabcabc", "short-pw",
    "password2024!", "Qwertyuiop12", "iloveyou12345",
])
def test_weak_passwords_are_refused(db, users, password):
    with pytest.raises(ValidationError) as refused:
        auth.create_user(db, users["admin"], "newperson", "staff", password=password)
    assert refused.value.problems[0].column == "password"


def test_the_message_names_the_reason_in_chinese_too(db, users):
    from workbench.messages import translator_for

    with pytest.raises(ValidationError) as refused:
        auth.create_user(db, users["admin"], "newperson", "staff", password="aaaaaaaaaaaaaa")
    assert refused.value.render(translator_for("zh")) != refused.value.render()


def test_changing_to_a_weak_password_is_refused(db, users):
    with pytest.raises(ValidationError):
        auth.set_password(db, users["admin"], users["staff"].id, " " * 12)


def test_good_and_generated_passwords_are_accepted(db, users):
    auth.create_user(db, users["admin"], "person1", "staff", password="tin-roof-mango-47")
    for _attempt in range(20):
        generated = auth.generate_password()
        assert credentials.password_problem(generated) is None, generated
    _user, generated = auth.create_user(db, users["admin"], "person2", "staff")
    assert len(generated) >= credentials.PASSWORD_MIN_LENGTH
    assert credentials.password_problem(PASSWORD) is None


def test_the_shipped_list_is_substantial():
    listed = credentials.common_passwords()
    assert len(listed) > 10_000 and "password" in listed and "qwerty" in listed


@pytest.mark.parametrize("username", ["аdmin", "pаul", "ѕtaff", "=cmd", "+1", "@x", "-x",
                                      "=HYPERLINK(\"x\")", "a b", "tab\there", "x" * 65, ""])
def test_bad_usernames_are_refused(db, users, username):
    with pytest.raises(ValidationError) as refused:
        auth.create_user(db, users["admin"], username, "staff", password=PASSWORD)
    assert refused.value.problems[0].column == "username"


def test_usernames_are_nfkc_normalized(db, users):
    user, _password = auth.create_user(db, users["admin"], "ｗａｎｇ．ｌｉ", "staff",
                                       password=PASSWORD)
    assert user.username == "wang.li"
    with pytest.raises(ValidationError, match="already exists"):
        auth.create_user(db, users["admin"], "WANG.LI", "staff", password=PASSWORD)


def test_a_whole_script_look_alike_of_an_existing_name_is_refused(db, users):
    auth.create_user(db, users["admin"], "coco", "staff", password=PASSWORD)
    with pytest.raises(ValidationError, match="looks like"):
        auth.create_user(db, users["admin"], "сосо", "staff", password=PASSWORD)  # Cyrillic


@pytest.mark.parametrize("username", ["张伟", "li_na-2", "Иван", "山田たろう", "o.brien"])
def test_ordinary_names_in_any_one_script_are_fine(db, users, username):
    user, _password = auth.create_user(db, users["admin"], username, "staff", password=PASSWORD)
    assert user.username == username


def test_admin_form_shows_the_username_problem(admin_client):
    response = admin_client.post("/admin/users", data={
        "username": "аdmin", "role": "staff", "county": "", "password": PASSWORD})
    text = response.get_data(as_text=True)
    assert "cannot mix letters of different alphabets" in text
    zh = admin_client.post("/admin/users", data={
        "username": "=cmd", "role": "staff", "county": "", "password": PASSWORD},
        headers={"Accept-Language": "zh"})
    assert "公式" in zh.get_data(as_text=True)


def test_first_admin_of_a_new_database_gets_a_policy_password(tmp_path):
    from workbench import bootstrap, db as dbmod
    from workbench.config import load_settings

    path = tmp_path / "fresh.sqlite3"
    settings = load_settings(tmp_path, {"DATABASE": str(path), "SECRET_KEY": "x"})
    database = dbmod.open_db(path)
    report = bootstrap.initialize(database, settings, seed=False)
    assert credentials.password_problem(report.admin_password) is None
    assert auth.authenticate(database, report.admin_username, report.admin_password)
    database.close()
