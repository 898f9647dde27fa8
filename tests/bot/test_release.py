"""The release basics: ``quotebot --version`` from the package metadata, the MIT licence, a changelog for this version."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from bot.cli import main
from tests.conftest import ROOT

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_version_is_the_packages_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"quotebot {VERSION}\n"


def test_version_from_the_installed_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"quotebot {VERSION}"


def test_the_code_is_mit_licensed_and_the_data_keeps_its_notices() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in licence
    assert (ROOT / "retrieval" / "data" / "WORDNET-LICENSE").exists() and (ROOT / "retrieval" / "data" / "WORDFREQ-LICENSE").exists()


def test_the_changelog_starts_at_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {VERSION} " in changelog
