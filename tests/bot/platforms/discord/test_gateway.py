"""The gateway: heartbeats, resuming after a dropped connection, sharding, and where the client connects."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.answerer import Answerer
from bot.feedback import FeedbackLog
from bot.platforms.discord import run_discord
from bot.state import MemoryState
from tests.bot.platforms.discord.conftest import Start, discord_config
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture
from tests.bot.platforms.discord.helpers import CALLBACK, CHANNEL_MESSAGES, callbacks_for
from tests.conftest import IBM_QUOTE


async def test_login_and_gateway_go_to_the_configured_endpoints(fake: FakeDiscord, start: Start) -> None:
    default_base, default_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    run = await start(fake)
    assert [r.route for r in fake.requests[:2]] == ["GET /users/@me", "GET /oauth2/applications/@me"]
    assert Route.BASE == fake.api_base and str(DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
    hello_answer = [frame for _, frame in fake.received if frame["op"] == 2]
    assert len(hello_answer) == 1 and hello_answer[0]["d"]["token"] == fake.token
    await run.client.close()
    await run.task
    # the endpoints are restored when the bot stops
    assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == (default_base, default_gateway)


async def test_the_fake_sends_json_as_discord_does() -> None:
    # discord.py only parses a body as JSON when Content-Type is exactly application/json
    async with FakeDiscord() as fake, aiohttp.ClientSession() as session:
        async with session.get(f"{fake.api_base}/users/@me", headers={"Authorization": f"Bot {fake.token}"}) as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["id"] == fixture("bot_user")["id"]


async def test_heartbeats_are_sent_and_acknowledged(start: Start) -> None:
    async with FakeDiscord(heartbeat_interval_ms=50) as fake:
        run = await start(fake)
        beats = await fake.wait_for(lambda: (h := [f for _, f in fake.received if f["op"] == 1]) and len(h) >= 4 and h)
        # the first beat goes out on HELLO, before READY; later ones carry the last sequence number seen
        assert beats[0]["d"] is None and beats[-1]["d"] == 2
        # every beat was ACKed by the fake, so the client measured a latency and kept the connection
        assert 0 <= run.client.latency < 10
        assert fake.connections == 1
        await run.client.close()


async def test_after_a_dropped_connection_the_client_resumes_and_still_answers(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake)
    await fake.drop(code=4000)
    # dispatched while the client is away: Discord replays it after RESUME
    await fake.dispatch("MESSAGE_CREATE", fixture("message_mention"))
    await fake.wait_for(lambda: fake.resumed.is_set())

    resume = next(frame["d"] for _, frame in fake.received if frame["op"] == 6)
    session = next(iter(fake.sessions.values()))
    assert resume["session_id"] == session.session_id and resume["token"] == fake.token
    assert resume["seq"] == 2  # READY and GUILD_CREATE were seen before the drop
    assert fake.connections == 2
    assert len([f for _, f in fake.received if f["op"] == 2]) == 1  # resumed, not identified again

    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)  # the replayed mention
    assert IBM_QUOTE in reply.body["embeds"][0]["description"].replace("**", "")
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))  # and a new interaction
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    assert callback.status == 200
    assert not run.client.is_closed()


async def test_sharded_client_identifies_every_shard_and_answers_on_each(start: Start) -> None:
    async with FakeDiscord(max_concurrency=2) as fake:
        run = await start(fake, shard_count=2)
        assert isinstance(run.client, discord.AutoShardedClient)
        await fake.wait_for(lambda: len(fake.sessions) == 2)
        identifies = [frame["d"] for _, frame in fake.received if frame["op"] == 2]
        assert sorted(tuple(d["shard"]) for d in identifies) == [(0, 2), (1, 2)]
        # the session start limit (max_concurrency 2) lets both shards identify at once, without the 5 s pause
        assert fake.calls("GET", "/gateway/bot") and run.client.max_concurrency == 2

        await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"), shard=1)
        dm = fixture("message_dm")
        await fake.dispatch("MESSAGE_CREATE", dm, shard=0)
        await fake.wait_for_call("POST", CHANNEL_MESSAGES)
        (callback,) = await fake.wait_for(lambda: callbacks_for(fake, fixture("interaction_ask")["id"]))
        assert callback.status == 200 and callback.body["type"] == 4
        await run.client.close()


async def test_shard_count_zero_asks_discord_for_the_count(start: Start) -> None:
    async with FakeDiscord(shards=1) as fake:
        run = await start(fake, shard_count=0)
        assert isinstance(run.client, discord.AutoShardedClient)
        await fake.wait_for(lambda: run.client.shard_count == 1)
        (identify,) = [frame["d"] for _, frame in fake.received if frame["op"] == 2]
        assert identify["shard"] == [0, 1]
        assert len(fake.calls("GET", "/gateway/bot")) >= 1
        await run.client.close()


async def test_run_discord_shares_the_callers_loop_and_stops_cleanly_when_cancelled(
    fake: FakeDiscord, seed_answerer: Answerer, tmp_path: Path
) -> None:
    # `quotebot run` will start Slack and Discord as tasks in one loop and cancel them on shutdown
    config = discord_config(fake, tmp_path)
    feedback = FeedbackLog(tmp_path / "shared-feedback.jsonl")
    bot = asyncio.create_task(run_discord(config, seed_answerer, state=MemoryState(), feedback=feedback))
    await fake.wait_for(lambda: fake.identified.is_set() or bot.done())
    assert not bot.done()
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    assert callback.status == 200

    bot.cancel()
    with pytest.raises(asyncio.CancelledError):
        await bot
    await fake.wait_for(lambda: not fake.live_sockets())  # the gateway socket was closed, not abandoned
    assert Route.BASE == "https://discord.com/api/v10"
