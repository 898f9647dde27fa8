"""Configuration: a TOML file (see ``config.example.toml``) plus secrets from the environment.

Every key has a default except the platform tokens, which only the platform
commands need. A bad file raises one :class:`ConfigError` that names the key
and its line; nothing here exits the process.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval import ENGINES, METHODS, IndexSettings

from .answerer import AnswerSettings

CONFIG_ENV = "QUOTEBOT_CONFIG"
DEFAULT_CONFIG_NAME = "quotebot.toml"


class ConfigError(Exception):
    """A config file that can't be used; the message names the file, key and line."""


class Secret(str):
    """A token: behaves as a string, but never shows its value in ``repr`` or logs."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    @property
    def value(self) -> str:
        """The token itself, for handing to a client library."""
        return str.__str__(self)


@dataclass
class CorpusConfig:
    """``[corpus]``: where the articles are and where the index is cached."""

    paths: list[str] = field(default_factory=lambda: ["seeds"])
    cache_dir: str | None = None
    watch: bool = True
    #: Follow symbolic links that point outside the corpus folders (off: such links are skipped and reported).
    follow_symlinks: bool = False
    #: Larger corpus files are skipped and reported, before anything is read from them.
    max_file_bytes: int = 50 * 1024 * 1024


@dataclass
class SlackConfig:
    """``[slack]``: the Slack adapter (tokens come from the environment)."""

    api_url: str = "https://slack.com/api/"
    port: int = 3000
    path: str = "/slack/events"
    allowed_channels: list[str] = field(default_factory=list)
    bot_token: Secret | None = None
    app_token: Secret | None = None
    signing_secret: Secret | None = None


@dataclass
class DiscordConfig:
    """``[discord]``: the Discord adapter (the token comes from the environment)."""

    api_base: str = "https://discord.com/api/v10"
    gateway_url: str | None = None
    guild_ids: list[int] = field(default_factory=list)
    shard_count: int | None = None
    #: The shards this process runs (with ``shard_count`` > 0); empty = all of them. Several processes, one Redis.
    shard_ids: list[int] = field(default_factory=list)
    token: Secret | None = None


@dataclass
class FeedbackConfig:
    """``[feedback]``: where 👍 / 👎 clicks are logged as JSON lines."""

    path: str = "feedback.jsonl"


@dataclass
class StateConfig:
    """``[state]``: shared state for de-duplication, rate limits and feedback."""

    backend: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: Seconds a Redis connection or command may take before the bot falls back to memory.
    timeout: float = 1.0
    #: Seconds between attempts to reach Redis again while on the memory fallback.
    retry_seconds: float = 5.0


@dataclass
class LimitsConfig:
    """``[limits]``: rate limits, the concurrency cap and the HTTP body cap (0 turns a rate limit off)."""

    #: Questions one user may ask per minute, after a burst of ``user_burst``.
    user_per_minute: float = 6.0
    user_burst: int = 3
    #: Questions one channel may ask per minute (all users together), after a burst of ``channel_burst``.
    channel_per_minute: float = 30.0
    channel_burst: int = 10
    #: Answers computed at the same time; further questions wait for a free slot.
    max_concurrent_answers: int = 8
    #: Largest HTTP request body accepted (Slack HTTP mode), in bytes.
    max_body_bytes: int = 1_048_576
    #: On SIGTERM, how long to wait for answers in flight before exiting anyway.
    shutdown_grace_seconds: float = 30.0


@dataclass
class PrivacyConfig:
    """``[privacy]``: what may be written to logs."""

    log_questions: bool = True


@dataclass
class LoggingConfig:
    """``[logging]``: level and format of the bot's logs."""

    level: str = "INFO"
    json: bool = False
    #: Also append the log to this file (same format, same redaction); relative to the config file.
    file: str | None = None


@dataclass
class OpsConfig:
    """``[ops]``: the operations HTTP server (``/healthz``, ``/readyz``, ``/metrics``) for every bot mode.

    Off unless ``port`` is set (0 picks a free port, logged at start); binds loopback unless ``host`` says otherwise.
    """

    host: str = "127.0.0.1"
    port: int | None = None


@dataclass
class Config:
    """The whole configuration."""

    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    index: IndexSettings = field(default_factory=IndexSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    slack: SlackConfig = field(default_factory=SlackConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    state: StateConfig = field(default_factory=StateConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    ops: OpsConfig = field(default_factory=OpsConfig)
    #: The file this came from, if any; relative paths in it are relative to its folder.
    source: Path | None = None


#: Environment variables that supply secrets, and the config fields they fill.
SECRET_ENV = {
    "SLACK_BOT_TOKEN": ("slack", "bot_token"),
    "SLACK_APP_TOKEN": ("slack", "app_token"),
    "SLACK_SIGNING_SECRET": ("slack", "signing_secret"),
    "DISCORD_TOKEN": ("discord", "token"),
}

_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("index", "engine"): ENGINES,
    ("index", "method"): METHODS,
    ("state", "backend"): ("memory", "redis"),
    ("logging", "level"): ("DEBUG", "INFO", "WARNING", "ERROR"),
}


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """The line of ``key`` in ``[section]`` (or of the section header), for error messages."""
    lines = text.splitlines()
    in_section = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] ") == section
            if in_section and key is None:
                return number
            continue
        if in_section and key is not None and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


def _check_type(value: Any, hint: Any) -> Any:
    """Return ``value`` converted to ``hint``, or raise ``TypeError`` saying what was expected."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _check_union(value, typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise TypeError(f"expected a list of {_name(item)}")
        return [_check_type(v, item) for v in value]
    return _check_scalar(value, hint)


def _check_union(value: Any, options: tuple[Any, ...]) -> Any:
    """``value`` converted to the first of ``options`` it fits (``None`` when that is one of them)."""
    if value is None and type(None) in options:
        return None
    for option in options:
        if option is type(None):
            continue
        try:
            return _check_type(value, option)
        except TypeError:
            continue
    raise TypeError(f"expected {' or '.join(_name(o) for o in options if o is not type(None))}")


def _check_scalar(value: Any, hint: Any) -> Any:
    """``value`` as a :class:`Secret`, float, exact bool or int, or instance of ``hint``; else ``TypeError``."""
    if hint is Secret:
        if not isinstance(value, str):
            raise TypeError("expected a string")
        return Secret(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, float) and not math.isfinite(value):
        raise TypeError("expected a finite number")
    if hint is bool or hint is int:
        if type(value) is not hint:
            raise TypeError(f"expected {_name(hint)}")
        return value
    if isinstance(hint, type) and not isinstance(value, hint):
        raise TypeError(f"expected {_name(hint)}")
    return value


def _name(hint: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false", Secret: "a string"}.get(hint, str(hint))


def parse_config(text: str, source: Path | None = None) -> Config:
    """Parse TOML ``text`` into a :class:`Config`, checking every key and value."""
    where = str(source) if source else "config"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: not valid TOML: arrays or tables nested too deeply to read") from None
    config = Config(source=source)
    hints = typing.get_type_hints(Config)
    for section, values in data.items():
        if section == "source" or section not in hints:
            raise ConfigError(f"{where}:{_line_of(text, section, None) or '?'}: unknown section [{section}]")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [{section}] must be a table")
        cls = hints[section]
        field_hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            line = _line_of(text, section, key) or "?"
            if key not in field_hints:
                known = ", ".join(f.name for f in dataclasses.fields(cls))
                raise ConfigError(f"{where}:{line}: unknown key {section}.{key} (known keys: {known})")
            try:
                kwargs[key] = _check_type(value, field_hints[key])
            except TypeError as exc:
                raise ConfigError(f"{where}:{line}: {section}.{key} = {value!r}: {exc}") from None
            choices = _CHOICES.get((section, key))
            if choices and kwargs[key] not in choices:
                raise ConfigError(f"{where}:{line}: {section}.{key} = {value!r}: expected one of {', '.join(choices)}")
        setattr(config, section, dataclasses.replace(getattr(config, section), **kwargs))
    _check_ranges(config, text, where)
    return config


def _check_ranges(config: Config, text: str, where: str) -> None:
    checks = [
        ("answer", "passages", 1 <= config.answer.passages <= 10, "must be between 1 and 10"),
        ("answer", "max_question_chars", config.answer.max_question_chars >= 10, "must be at least 10"),
        ("answer", "workers", config.answer.workers >= 1, "must be at least 1"),
        ("answer", "queue", config.answer.queue >= 1, "must be at least 1"),
        ("answer", "min_coverage", 0 <= config.answer.min_coverage <= 1, "must be between 0 and 1"),
        ("answer", "duplicate_similarity", 0 < config.answer.duplicate_similarity <= 1, "must be above 0 and at most 1"),
        ("index", "k1", config.index.k1 >= 0, "must not be negative"),
        ("index", "b", 0 <= config.index.b <= 1, "must be between 0 and 1"),
        ("index", "candidates", config.index.candidates >= 1, "must be at least 1"),
        ("index", "build_memory_mb", config.index.build_memory_mb >= 256, "must be at least 256"),
        ("corpus", "paths", bool(config.corpus.paths), "must name at least one file or folder"),
        ("slack", "api_url", config.slack.api_url.endswith("/"), "must end with '/'"),
        ("slack", "port", 0 <= config.slack.port <= 65535, "must be a TCP port, 0 to 65535 (0 picks a free one)"),
        ("ops", "port", config.ops.port is None or 0 <= config.ops.port <= 65535, "must be a TCP port, 0 to 65535 (0 picks a free one)"),
        ("ops", "host", bool(config.ops.host.strip()), "must not be empty"),
        ("corpus", "max_file_bytes", config.corpus.max_file_bytes >= 1, "must be at least 1"),
        ("limits", "user_per_minute", config.limits.user_per_minute >= 0, "must not be negative (0 turns the limit off)"),
        ("limits", "user_burst", config.limits.user_burst >= 1, "must be at least 1"),
        ("limits", "channel_per_minute", config.limits.channel_per_minute >= 0, "must not be negative (0 turns the limit off)"),
        ("limits", "channel_burst", config.limits.channel_burst >= 1, "must be at least 1"),
        ("limits", "max_concurrent_answers", config.limits.max_concurrent_answers >= 1, "must be at least 1"),
        ("limits", "max_body_bytes", config.limits.max_body_bytes >= 1024, "must be at least 1024"),
        ("limits", "shutdown_grace_seconds", config.limits.shutdown_grace_seconds >= 0, "must not be negative"),
        ("state", "timeout", config.state.timeout > 0, "must be more than 0"),
        ("state", "retry_seconds", config.state.retry_seconds > 0, "must be more than 0"),
    ]
    for section, key, ok, why in checks:
        if not ok:
            raise ConfigError(f"{where}:{_line_of(text, section, key) or '?'}: {section}.{key} {why}")


def apply_environment(config: Config, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Fill the secrets from ``SLACK_BOT_TOKEN``, ``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET``, ``DISCORD_TOKEN``."""
    env = os.environ if environ is None else environ
    for name, (section, key) in SECRET_ENV.items():
        if env.get(name):
            setattr(getattr(config, section), key, Secret(env[name]))
    return config


def find_config(explicit: str | None) -> Path | None:
    """The config file to use: ``--config``, else ``$QUOTEBOT_CONFIG``, else ``./quotebot.toml`` if present."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.exists() else None


def load_config(path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Load the config file (if any), apply the environment, and resolve relative corpus paths."""
    file = find_config(str(path) if path else None)
    if file is None:
        config = Config()
    else:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read the config file: {exc}") from None
        config = parse_config(text, file)
        base = file.parent
        # Paths written in the file are relative to it; the default seeds/, which nobody wrote, stays relative to the current folder.
        if "paths" in tomllib.loads(text).get("corpus", {}):
            config.corpus.paths = [str(base / p) if not Path(p).is_absolute() else p for p in config.corpus.paths]
        if config.corpus.cache_dir and not Path(config.corpus.cache_dir).is_absolute():
            config.corpus.cache_dir = str(base / config.corpus.cache_dir)
        if not Path(config.feedback.path).is_absolute():
            config.feedback.path = str(base / config.feedback.path)
        if config.logging.file and not Path(config.logging.file).is_absolute():
            config.logging.file = str(base / config.logging.file)
        _check_paths(config, text, str(file))
    return apply_environment(config, environ)


def writable_problem(path: str | Path) -> str | None:
    """Why a file the bot appends to cannot be written (its folder missing and not creatable, or no permission), else ``None``."""
    target = Path(path)
    if target.is_dir():
        return "is a folder, not a file"
    if target.exists():
        return None if os.access(target, os.W_OK) else "is not writable"
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    return None if os.access(folder, os.W_OK | os.X_OK) else f"cannot create it: {folder} is not writable"


def _check_paths(config: Config, text: str, where: str) -> None:
    """The files a config names for writing must be writable, and its cache folder usable: else one :class:`ConfigError`."""
    checks = [("logging", "file", config.logging.file)]
    if _line_of(text, "feedback", "path") is not None:
        checks.append(("feedback", "path", config.feedback.path))
    for section, key, value in checks:
        if value and (problem := writable_problem(value)) is not None:
            raise ConfigError(f"{where}:{_line_of(text, section, key) or '?'}: {section}.{key} = {value!r}: {problem}")
