"""Config values that used to pass and then break the bot, or give a traceback: non-finite numbers, impossible
ports, TOML nested too deeply, log files that cannot be written. Each is one line and exit status 2."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config, ConfigError
from bot.logs import setup_logging


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[limits]\nuser_per_minute = inf\n", r"q\.toml:2: limits\.user_per_minute = inf: expected a finite number"),
        ("[limits]\nchannel_per_minute = nan\n", r"q\.toml:2: limits\.channel_per_minute = nan: expected a finite number"),
        ("[state]\ntimeout = -inf\n", r"q\.toml:2: state\.timeout = -inf: expected a finite number"),
        ("[slack]\nport = 70000\n", r"q\.toml:2: slack\.port must be a TCP port, 0 to 65535"),
        ("[slack]\nport = -1\n", r"q\.toml:2: slack\.port must be a TCP port"),
        ("[ops]\nport = 70000\n", r"q\.toml:2: ops\.port must be a TCP port, 0 to 65535"),
        ("[ops]\nhost = \"\"\n", r"q\.toml:2: ops\.host must not be empty"),
        ("[corpus]\nmax_file_bytes = 0\n", r"q\.toml:2: corpus\.max_file_bytes must be at least 1"),
        ("[index]\nk1 = " + "[" * 100_000 + "]" * 100_000 + "\n", r"q\.toml: not valid TOML: .*nested too deeply"),
        ("[logging]\nfile = \"plain-file/bot.log\"\n", r"q\.toml:2: logging\.file = '.*plain-file/bot\.log': .*plain-file is not a folder"),
        ("[feedback]\npath = \"plain-file/feedback.jsonl\"\n", r"q\.toml:2: feedback\.path = .*: .*is not a folder"),
        ("[logging]\nfile = \".\"\n", r"q\.toml:2: logging\.file = .*: is a folder, not a file"),
    ],
    ids=["inf", "nan", "-inf", "port 70000", "port -1", "ops port 70000", "ops host empty", "max_file_bytes 0",
         "nested 100,000 deep", "log under a file",
         "feedback under a file", "log is a folder"],
)
def test_bad_values_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    config = tmp_path / "q.toml"
    config.write_text(text, encoding="utf-8")
    assert main(["--config", str(config), "ask", "Who is Krishna?"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("quotebot: config error: ")
    assert re.search(expected, err), err


def test_a_log_file_that_cannot_be_created_is_a_config_error(tmp_path: Path) -> None:
    config = Config()
    config.logging.file = "/proc/quotebot-cannot-be-here/bot.log"  # not creatable, even by root
    with pytest.raises(ConfigError, match=r"\[logging\] file = '/proc/quotebot-cannot-be-here/bot\.log': cannot write"):
        setup_logging(config)


def test_the_log_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    config = Config()
    config.logging.file = str(tmp_path / "logs" / "bot.log")
    handlers = setup_logging(config)
    logging.getLogger("quotebot.test").warning("hello")
    for handler in handlers:
        handler.flush()
    mode = stat.S_IMODE((tmp_path / "logs" / "bot.log").stat().st_mode)
    assert mode == 0o600
    assert "hello" in (tmp_path / "logs" / "bot.log").read_text()
