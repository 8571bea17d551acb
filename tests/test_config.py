"""Settings: instance folder, environment, and the production secret-key rule."""
from pathlib import Path

import pytest

from workbench import create_app
from workbench.config import ConfigError, load_settings, require_secret_key


def test_production_without_secret_key_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("WORKBENCH_ENV", "production")
    with pytest.raises(ConfigError, match="secret key"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE": str(tmp_path / "x.db")})


def test_development_gets_a_throwaway_key(tmp_path):
    settings = load_settings(tmp_path, {"ENV": "development"})
    require_secret_key(settings)
    assert len(settings["SECRET_KEY"]) >= 32


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "MAX_PHOTO_BYTES = 123\nFOUR_EYES = True\nSECRET_KEY = 'from-file'\n", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("WORKBENCH_FOUR_EYES", "0")
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "m"))
    settings = load_settings(tmp_path)
    assert settings["MAX_PHOTO_BYTES"] == 123
    assert settings["FOUR_EYES"] is False
    assert settings["DATABASE"] == str(tmp_path / "env.sqlite3")
    assert settings["MODELS_DIR"] == str(tmp_path / "m")
    assert settings["SECRET_KEY"] == "from-file"


def test_database_defaults_to_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    settings = load_settings(tmp_path)
    assert Path(settings["DATABASE"]) == tmp_path / "workbench.sqlite3"


def test_secret_key_file_written_by_init_is_used(tmp_path, monkeypatch, run_cli):
    monkeypatch.delenv("WORKBENCH_SECRET_KEY", raising=False)
    result = run_cli("init", "--no-seed")
    assert result.exit_code == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert load_settings(tmp_path)["SECRET_KEY"] == key
