"""A real ``python -m bot`` in a subprocess, for the tests that start the bot as users do and stop it with SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from pathlib import Path
from types import TracebackType

from tests.conftest import ROOT


class BotProcess:
    """``python -m bot --config CONFIG ARGS…`` run from the checkout; use as ``async with BotProcess(...) as bot``.

    Its stderr (the log) is read line by line with :meth:`read_until`; :meth:`sigterm` and :meth:`finish` stop it
    as a service manager would. Leaving the block kills a process that is still running, so a failing test never
    leaves one behind.
    """

    def __init__(self, config: Path, args: list[str], env: dict[str, str]) -> None:
        self.argv = [sys.executable, "-m", "bot", "--config", str(config), *args]
        self.env = env
        self.lines: list[str] = []
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> BotProcess:
        self._proc = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so leaving the block can end its workers too
        )
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        proc = self.proc
        # Kill the whole group: a worker process left running (the corpus watcher's) would keep stderr open,
        # and asyncio's wait() waits for the pipes as well as the process.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()

    @property
    def proc(self) -> asyncio.subprocess.Process:
        """The running process."""
        assert self._proc is not None, "use BotProcess in `async with`"
        return self._proc

    @property
    def log(self) -> str:
        """The stderr read so far."""
        return "".join(self.lines)

    async def read_until(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """Read the log until ``pattern`` matches it; fails with the log so far if the process ends first."""
        stderr = self.proc.stderr
        assert stderr is not None
        async with asyncio.timeout(timeout):
            while not (match := re.search(pattern, self.log)):
                line = (await stderr.readline()).decode()
                assert line, self.log
                self.lines.append(line)
        return match

    def sigterm(self) -> None:
        """Ask the bot to stop, as a service manager does."""
        self.proc.send_signal(signal.SIGTERM)

    async def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Wait for the process to end; its exit code and the whole log."""
        stderr = self.proc.stderr
        assert stderr is not None
        rest = (await asyncio.wait_for(stderr.read(), timeout)).decode()
        self.lines.append(rest)
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        return code, self.log

    async def stop(self, timeout: float = 30) -> tuple[int, str]:
        """SIGTERM (if still running), then :meth:`finish`."""
        if self.proc.returncode is None:
            self.sigterm()
        return await self.finish(timeout)
