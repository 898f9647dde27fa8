"""``quotebot slack`` logs at start which corpus it serves: articles, sentences, date range, index folder, built or loaded."""

from __future__ import annotations

import os
from pathlib import Path

from tests.bot_process import BotProcess
from tests.conftest import SEEDS

from .conftest import BOT_TOKEN, SIGNING_SECRET
from .fake_slack import FakeSlack


async def test_the_bot_logs_the_corpus_it_serves_then_the_saved_index_on_restart(fake_slack: FakeSlack, tmp_path: Path) -> None:
    config = tmp_path / "quotebot.toml"
    config.write_text(
        f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\nwatch = false\n[slack]\napi_url = "{fake_slack.api_url}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    for how in ("built in [\\d.]+s", "loaded from the saved index"):
        async with BotProcess(config, ["slack", "--http", "--port", "0", "--host", "127.0.0.1"], env) as bot:
            await bot.read_until(
                rf"corpus: 1 article\(s\), 14 sentences, dated 2020-06-09 to 2020-06-09; index {how} at {tmp_path / 'cache'}/\w+"
            )
            await bot.read_until(r"listening on http://127\.0\.0\.1:\d+/slack/events")
            # leaving the block kills the bot: stopping it is tested elsewhere, and the next start must find the saved index
