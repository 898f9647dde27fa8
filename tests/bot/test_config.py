"""Config: the example documents every key, bad files give one clear error, secrets come from the environment."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, Secret, load_config, parse_config
from tests.conftest import ROOT


def test_example_config_parses_and_documents_every_key() -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    config = parse_config(text)
    assert config.answer.passages == 3
    for section in dataclasses.fields(Config):
        if section.name == "source":
            continue
        assert f"[{section.name}]" in text, section.name
        for key in dataclasses.fields(getattr(config, section.name)):
            if key.name in ("bot_token", "app_token", "signing_secret", "token"):
                continue
            pattern = rf"^#?\s*{key.name}\s*="
            assert re.search(pattern, text, re.MULTILINE), f"{section.name}.{key.name} is not documented"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[index]\nk1 = \"high\"\n", r"config:2: index\.k1 = 'high': expected a number"),
        ("[answer]\n\npasages = 5\n", r"config:3: unknown key answer\.pasages"),
        ("[answr]\n", r"config:1: unknown section \[answr\]"),
        ("[index]\nengine = \"lucene\"\n", r"config:2: index\.engine = 'lucene': expected one of bm25s, rank-bm25"),
        ("[answer]\npassages = 0\n", r"config:2: answer\.passages must be between 1 and 10"),
        ("[slack]\napi_url = \"http://x/api\"\n", r"config:2: slack\.api_url must end with '/'"),
        ("[corpus\n", r"not valid TOML"),
        ("[privacy]\nlog_questions = \"no\"\n", r"expected true or false"),
    ],
)
def test_bad_config_names_key_and_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config(text)


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "q.toml").write_text('[corpus]\npaths = ["articles"]\n', encoding="utf-8")
    config = load_config(tmp_path / "q.toml", environ={})
    assert config.corpus.paths == [str(tmp_path / "articles")]


def test_secrets_come_from_the_environment_and_never_show() -> None:
    config = load_config(None, environ={"SLACK_BOT_TOKEN": "xoxb-secret-1", "DISCORD_TOKEN": "disc.secret.2"})
    token = config.slack.bot_token
    assert isinstance(token, Secret) and token.value == "xoxb-secret-1"
    assert "xoxb-secret-1" not in repr(config) and "xoxb-secret-1" not in str(token) and "xoxb" not in f"{token!r}"
    assert config.discord.token is not None and config.discord.token.value == "disc.secret.2"
    assert config.slack.app_token is None


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "missing.toml", environ={})
