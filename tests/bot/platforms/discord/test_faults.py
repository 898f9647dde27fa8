"""Faults on Discord's side: a 429 or a 5xx on a send is retried by discord.py and the answer is posted once;
two bot processes on one Redis (shards during a handover) answer a message delivered to both once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.answerer import Answerer
from bot.feedback import FeedbackLog
from bot.platforms.discord.client import build_client
from bot.platforms.discord.run import hash_file, serve
from bot.platforms.discord.sync import CommandSync
from bot.service import build_service
from bot.state import FallbackState, RedisState
from tests.bot.platforms.discord.conftest import Start, discord_config
from tests.bot.platforms.discord.fake_discord import FakeDiscord, Fault, fixture
from tests.bot.platforms.discord.helpers import CHANNEL_MESSAGES
from tests.conftest import IBM_QUOTE
from tests.redis_server import RedisServer


@pytest.mark.parametrize(
    "faults",
    [[Fault("ratelimited", retry_after=0.3)], [Fault("server_error", status=502)]],
    ids=["429 with retry_after", "502"],
)
async def test_a_refused_reply_is_retried_and_sent_once(fake: FakeDiscord, start: Start, faults: list[Fault]) -> None:
    await start(fake)
    fake.inject("POST", CHANNEL_MESSAGES, *faults)
    await fake.dispatch("MESSAGE_CREATE", fixture("message_mention"))
    await fake.wait_for_call("POST", CHANNEL_MESSAGES, count=len(faults) + 1)
    await asyncio.sleep(0.2)  # a second answer, if any, would be sent by now
    attempts = fake.calls("POST", CHANNEL_MESSAGES)
    assert [a.status for a in attempts] == [429 if f.kind == "ratelimited" else f.status for f in faults] + [200]
    assert IBM_QUOTE in attempts[-1].body["embeds"][0]["description"].replace("**", "")


async def test_a_rate_limited_interaction_edit_still_lands_once(fake: FakeDiscord, start: Start) -> None:
    await start(fake, respond_within=0.0)  # defer at once, then edit the answer in through the webhook
    fake.inject("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", Fault("ratelimited", retry_after=0.2))
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
    await fake.wait_for_call("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", count=2)
    await asyncio.sleep(0.2)
    edits = fake.calls("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
    assert [e.status for e in edits] == [429, 200]
    assert IBM_QUOTE in edits[-1].body["embeds"][0]["description"].replace("**", "")


async def test_two_shard_processes_sharing_redis_answer_a_message_delivered_to_both_once(
    seed_answerer: Answerer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """``shard_count = 2`` with ``shard_ids = [0]`` in one process and ``[1]`` in another, one Redis."""
    async with FakeDiscord(shards=2) as fake:
        runs = []
        for shard in (0, 1):
            config = discord_config(fake, tmp_path / str(shard), shard_count=2, shard_ids=[shard])
            state = FallbackState(RedisState.from_url(redis_server.url, timeout=5.0))
            await state.start()
            service = build_service(config, seed_answerer, state)
            client = build_client(
                config, seed_answerer, state, FeedbackLog(config.feedback.path), CommandSync(hash_file(config)), service=service
            )
            fake.identified.clear()
            task = asyncio.create_task(serve(client, fake.token, config.discord))
            await asyncio.wait_for(fake.identified.wait(), 10)
            runs.append((client, task, state))
        try:
            identified = sorted(frame["d"]["shard"][0] for _, frame in fake.received if frame["op"] == 2)
            assert identified == [0, 1]
            message = fixture("message_mention")
            # the same message reaches both shards (as in a re-shard handover), and a DM goes to shard 0 only
            await asyncio.gather(fake.dispatch("MESSAGE_CREATE", message, shard=0), fake.dispatch("MESSAGE_CREATE", message, shard=1))
            await fake.dispatch("MESSAGE_CREATE", fixture("message_dm"), shard=0)
            await fake.wait_for_call("POST", CHANNEL_MESSAGES, count=2)
            await asyncio.sleep(0.3)  # the other process has had time to answer too, if it were going to
            replies = fake.calls("POST", CHANNEL_MESSAGES)
            assert sorted(r.body["message_reference"]["message_id"] for r in replies) == sorted(
                int(m["id"]) for m in (message, fixture("message_dm"))
            )
        finally:
            for client, task, state in reversed(runs):  # endpoints are process-wide: unwind in reverse
                await client.close()
                await asyncio.wait_for(task, 10)
                await state.close()


async def test_gateway_dropped_while_a_reply_is_in_flight_then_the_message_redelivered_is_answered_once(
    fake: FakeDiscord, start: Start
) -> None:
    await start(fake)
    fake.inject("POST", CHANNEL_MESSAGES, Fault("slow", delay=0.5))
    message = fixture("message_mention")
    await fake.dispatch("MESSAGE_CREATE", message)
    await fake.wait_for(lambda: fake.calls("POST", CHANNEL_MESSAGES))  # the reply is on its way, slowly
    await fake.drop(code=4000)
    await fake.wait_for(lambda: fake.resumed.is_set())
    await fake.dispatch("MESSAGE_CREATE", message)  # delivered again after the reconnect
    await fake.dispatch("MESSAGE_CREATE", fixture("message_dm"))  # and a new question, to know the bot got this far
    await fake.wait_for_call("POST", CHANNEL_MESSAGES, count=2)
    await asyncio.sleep(0.8)  # the slow reply has landed, and a second answer to the redelivery would have been sent
    replies = fake.calls("POST", CHANNEL_MESSAGES)
    assert sorted(r.body["message_reference"]["message_id"] for r in replies) == sorted(
        int(m["id"]) for m in (message, fixture("message_dm"))
    )
