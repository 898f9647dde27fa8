"""The ``[limits]`` and ``[logging] file`` settings: the example file documents them, bad values name key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, LimitsConfig, load_config, parse_config
from tests.conftest import ROOT


def test_example_config_parses_to_the_defaults() -> None:
    config = parse_config((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    assert config.limits == LimitsConfig()
    assert config.logging.file is None


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ("limits", "user_per_minute = -1", "limits.user_per_minute must not be negative"),
        ("limits", "user_burst = 0", "limits.user_burst must be at least 1"),
        ("limits", "channel_burst = 0", "limits.channel_burst must be at least 1"),
        ("limits", "max_concurrent_answers = 0", "limits.max_concurrent_answers must be at least 1"),
        ("limits", "max_body_bytes = 10", "limits.max_body_bytes must be at least 1024"),
        ("limits", "max_body_bytes = 1.5", "expected an integer"),
        ("limits", "shutdown_grace_seconds = -1", "limits.shutdown_grace_seconds must not be negative"),
        ("limits", "per_user = 3", "unknown key limits.per_user"),
        ("state", "timeout = 0", "state.timeout must be more than 0"),
        ("state", "retry_seconds = 0", "state.retry_seconds must be more than 0"),
    ],
)
def test_bad_settings_name_the_key_and_line(section: str, line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        parse_config(f"[{section}]\n\n{line}\n")
    assert ":3:" in str(raised.value)


def test_limits_and_log_file_load_relative_to_the_config(tmp_path: Path) -> None:
    path = tmp_path / "quotebot.toml"
    text = '[limits]\nuser_per_minute = 0\nchannel_per_minute = 12.5\n[logging]\nfile = "logs/bot.log"\n'
    path.write_text(text, encoding="utf-8")
    config = load_config(path, environ={})
    assert (config.limits.user_per_minute, config.limits.channel_per_minute) == (0.0, 12.5)
    assert config.logging.file == str(tmp_path / "logs" / "bot.log")
