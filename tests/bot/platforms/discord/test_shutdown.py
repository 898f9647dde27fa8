"""SIGTERM to ``quotebot discord``: the reply in flight is still sent, the gateway is closed, exit 0."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bot.platforms.discord.fake_discord import FakeDiscord, Fault, fixture
from tests.bot.platforms.discord.helpers import CHANNEL_MESSAGES, service_setup
from tests.bot_process import BotProcess
from tests.conftest import IBM_QUOTE


async def test_sigterm_sends_the_reply_in_flight_closes_the_gateway_and_exits_0(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        config, env = service_setup(fake, tmp_path)
        async with BotProcess(config, ["discord"], env) as bot:
            await asyncio.wait_for(fake.identified.wait(), 60)
            fake.inject("POST", CHANNEL_MESSAGES, Fault("slow", delay=1.0))
            await fake.dispatch("MESSAGE_CREATE", fixture("message_mention"))
            await fake.wait_for(lambda: fake.calls("POST", CHANNEL_MESSAGES))  # the reply is on its way
            code, err = await bot.stop()
        assert code == 0, err
        (reply,) = fake.calls("POST", CHANNEL_MESSAGES)
        assert reply.status == 200 and IBM_QUOTE in reply.response["embeds"][0]["description"].replace("**", "")
        assert "finishing 1 in flight" in err and "shutdown complete" in err and "Traceback" not in err
        await fake.wait_for(lambda: not fake.live_sockets())
