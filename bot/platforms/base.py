"""What every chat platform provides, so one serve lifecycle (:mod:`bot.serve`) can run any of them.

A platform is one package under ``bot/platforms/`` whose ``platform`` module defines
``PLATFORM``, an object with the :class:`Platform` shape, and one line in
:data:`bot.platforms.REGISTRY`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..config import Config
from ..feedback import FeedbackLog
from ..models import Answer
from ..service import AnswerService


class NotReady(Exception):
    """A platform cannot start with this config: the message names what is missing (never a secret's value)."""


#: Exit status for a failure the operator fixes in the config or the environment (a token, a port, an intent).
EXIT_CONFIG = 2
#: Exit status for a failure at run time (the platform cannot be reached, a connection dropped for good).
EXIT_RUNTIME = 1


@dataclass(frozen=True)
class StartFailure:
    """One platform's failure as every command reports it: the platform, one line saying what to do, the exit status."""

    platform: str
    message: str
    exit_code: int


class PlatformsFailed(Exception):
    """One or more platforms failed (to start, or while serving); each failure described by its own platform."""

    def __init__(self, failures: list[StartFailure]) -> None:
        super().__init__("; ".join(f"{f.platform}: {f.message}" for f in failures))
        self.failures = failures

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_CONFIG` when any failure is one of configuration or tokens, else :data:`EXIT_RUNTIME`."""
        return max(f.exit_code for f in self.failures)


@dataclass(frozen=True)
class Options:
    """What the command line chose; each platform reads the fields it knows and ignores the rest."""

    #: Slack: ``True`` for HTTP mode, ``False`` for Socket Mode, ``None`` to choose from the tokens present.
    http: bool | None = None
    #: Slack HTTP mode: the port (``None``: ``[slack] port``) and address to listen on.
    port: int | None = None
    host: str = "127.0.0.1"
    #: Discord: sync the slash commands even if their schema has not changed.
    force_sync: bool = False
    #: Called with the platform's running object (a ``RunningSlack``, a Discord client) once it serves; for tests.
    ready: Callable[[object], None] | None = None


class Platform(Protocol):
    """One chat platform: its name, the tokens it needs, a token check, how it runs, and how it renders an answer."""

    @property
    def name(self) -> str:
        """The platform's name: the CLI subcommand, the ``--format`` name and the ``platform`` label in metrics and logs."""
        ...

    @property
    def tokens(self) -> tuple[str, ...]:
        """The environment variables the platform reads its secrets from."""
        ...

    def check(self, config: Config, options: Options) -> str:
        """How the platform will run with these tokens (``"socket"``, ``"http"``, ``"gateway"``), or :class:`NotReady`."""
        ...

    async def run(
        self, config: Config, service: AnswerService, feedback: FeedbackLog, stop: asyncio.Event, options: Options
    ) -> None:
        """Connect and answer through ``service`` until ``stop`` is set, then disconnect; a startup failure raises."""
        ...

    def render(self, answer: Answer) -> str:
        """The exact message body the platform would post for ``answer``, as JSON text (``--format NAME``)."""
        ...

    def describe_failure(self, exc: BaseException) -> tuple[str, int]:
        """What ``exc``, raised by :meth:`run`, means for whoever runs the bot (one line, no secret), and the exit status
        (:data:`EXIT_CONFIG` or :data:`EXIT_RUNTIME`). The single command and ``quotebot run`` both print this."""
        ...

    def connected(self, running: object) -> bool:
        """Whether the object :meth:`run` handed to ``Options.ready`` is connected to the platform right now (``/readyz``)."""
        ...
