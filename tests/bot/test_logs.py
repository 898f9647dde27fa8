"""Logging: secrets never reach a log line or a file, question text stays out when asked, JSON lines parse."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.answerer import Answerer
from bot.config import Config, apply_environment, parse_config
from bot.feedback import FeedbackLog
from bot.logs import PAYLOAD_LOGGERS, REDACTED, AnswerLog, Redactor, config_secrets, setup_logging
from bot.models import Question
from bot.state import MemoryState

#: Test secrets: some token-shaped, some (the signing secret, the Redis password) only known from the config.
TOKENS = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-TESTbotTOKEN0",
    "SLACK_APP_TOKEN": "xapp-1-A111-2222-TESTappTOKEN0",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "DISCORD_TOKEN": "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GTest1.TESTdiscordTOKENxxxxxxxxxxxxxxxxxxxxxxx",
}
REDIS_PASSWORD = "redisPASSWORD42"
ALL_SECRETS = [*TOKENS.values(), REDIS_PASSWORD]
QUESTION = "Does IBM still sell facial recognition software?"


def make_config(tmp_path: Path, *, json_lines: bool = True, log_questions: bool = True) -> Config:
    text = f"""
[state]
redis_url = "redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0"
[privacy]
log_questions = {str(log_questions).lower()}
[logging]
level = "DEBUG"
json = {str(json_lines).lower()}
file = "{tmp_path / "logs" / "quotebot.log"}"
"""
    return apply_environment(parse_config(text), TOKENS)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root logger and the library loggers back as they were."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    libs = {name: logging.getLogger(name).level for name in PAYLOAD_LOGGERS}
    yield
    for handler in root.handlers[:]:
        if handler not in saved[1]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[0])
    for name, level in libs.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture
async def slack_api() -> AsyncIterator[str]:
    """A loopback Slack Web API whose chat.postMessage reply echoes the caller's Authorization header."""

    async def post_message(request: web.Request) -> web.Response:
        payload = await request.json()
        return web.json_response(
            {"ok": True, "channel": payload.get("channel"), "ts": "1.000001", "echo": request.headers.get("Authorization")}
        )

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", post_message)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/api/"
    await runner.cleanup()


def written(tmp_path: Path) -> str:
    """Every file the test produced, concatenated."""
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(tmp_path.rglob("*")) if p.is_file())


async def test_no_secret_reaches_any_log_line_or_file(
    tmp_path: Path, restore_logging: None, slack_api: str, seed_answerer: Answerer
) -> None:
    config = make_config(tmp_path)
    stream = io.StringIO()
    setup_logging(config, stream)
    log = logging.getLogger("quotebot.test")
    bot, app, signing, discord = TOKENS.values()

    log.info("connecting with %s and %s", bot, app)
    log.warning(f"signing secret is {signing}")
    log.debug("redis at %s", config.state.redis_url)
    log.info("config %r", config.slack)
    log.info("headers", extra={"data": {"headers": {"Authorization": f"Bot {discord}"}, "tried": [signing, REDIS_PASSWORD]}})
    try:
        raise RuntimeError(f"login failed for token {discord}")
    except RuntimeError:
        log.exception("discord login")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated: pass {bot} differently", UserWarning, stacklevel=1)
    # A pasted token that is not ours is caught by its shape.
    log.info("question from a user: my token is xoxp-9999-8888-SOMEONEelse1")
    # The real Slack client at DEBUG logs the request and the response body, which echoes the token back.
    client = AsyncWebClient(token=bot, base_url=slack_api)
    response = await client.chat_postMessage(channel="C1", text="hello")
    assert response["echo"] == f"Bearer {bot}"
    answer = seed_answerer.answer(Question(QUESTION, platform="slack"))
    AnswerLog(config.privacy.log_questions).record(Question(f"{QUESTION} {bot}", platform="slack"), answer, 0.0123)
    feedback = FeedbackLog(tmp_path / "feedback.jsonl", Redactor(config_secrets(config)), MemoryState())
    await feedback.add("slack", "U1", "up", seed_answerer.answer(Question(f"{QUESTION} {signing}", platform="slack")))
    for handler in logging.getLogger().handlers:
        handler.flush()

    captured = stream.getvalue()
    files = written(tmp_path)
    assert "Received the following response" in captured  # the library's DEBUG lines were captured ...
    assert captured.count(REDACTED) >= 10  # ... and every planted secret was replaced
    assert "xoxp-9999-8888-SOMEONEelse1" not in captured
    for secret in ALL_SECRETS:
        assert secret not in captured, secret
        assert secret not in files, secret
    assert (tmp_path / "logs" / "quotebot.log").read_text(encoding="utf-8").count(REDACTED) >= 10
    assert json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8"))["question"].endswith(REDACTED)
    for line in captured.splitlines():
        json.loads(line)  # every line is one JSON object


async def test_json_answer_line_has_platform_latency_and_answered(
    tmp_path: Path, restore_logging: None, seed_answerer: Answerer
) -> None:
    stream = io.StringIO()
    setup_logging(make_config(tmp_path), stream)
    answers = AnswerLog()
    question = Question(QUESTION, platform="discord", user="1", channel="2")
    answers.record(question, seed_answerer.answer(question), 0.0421)
    off = Question("What is the capital of Australia?", platform="slack")
    answers.record(off, seed_answerer.answer(off), 0.002)
    answers.record(off, None, 0.5, error="TimeoutError")
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if '"event": "answer"' in line]
    assert [(r["platform"], r["answered"], r["latency_ms"], r["level"]) for r in lines] == [
        ("discord", True, 42.1, "INFO"),
        ("slack", False, 2.0, "INFO"),
        ("slack", False, 500.0, "WARNING"),
    ]
    assert lines[0]["question"] == QUESTION and lines[0]["passages"] == 3
    assert lines[1]["reason"] == "not_mentioned" and lines[2]["error"] == "TimeoutError"
    assert "user" not in lines[0] and "channel" not in lines[0]


async def test_log_questions_false_keeps_question_text_out(
    tmp_path: Path, restore_logging: None, slack_api: str, seed_answerer: Answerer
) -> None:
    config = make_config(tmp_path, json_lines=False, log_questions=False)
    stream = io.StringIO()
    setup_logging(config, stream)
    question = Question(QUESTION, platform="slack")
    AnswerLog(config.privacy.log_questions).record(question, seed_answerer.answer(question), 0.01)
    # Even a careless caller that passes the question field is filtered.
    logging.getLogger("quotebot.x").info("answered", extra={"data": {"question": QUESTION, "platform": "slack"}})
    # slack_sdk would echo the message text at DEBUG; with log_questions off it is held at INFO.
    client = AsyncWebClient(token=TOKENS["SLACK_BOT_TOKEN"], base_url=slack_api)
    await client.chat_postMessage(channel="C1", text=QUESTION)
    for handler in logging.getLogger().handlers:
        handler.flush()
    out = stream.getvalue()
    assert "answered" in out and 'platform="slack"' in out and "latency_ms=10.0" in out
    assert QUESTION not in out
    assert QUESTION not in written(tmp_path)


def test_setup_logging_twice_replaces_its_handlers(tmp_path: Path, restore_logging: None) -> None:
    config = make_config(tmp_path)
    first = setup_logging(config, io.StringIO())
    second = setup_logging(config, io.StringIO())
    root = logging.getLogger().handlers
    assert all(h in root for h in second) and not any(h in root for h in first)


def test_redactor_leaves_ordinary_text_alone() -> None:
    redact = Redactor(["abc", "s3cr3t-value"])  # "abc" is too short to redact by value
    text = "the abc of news: U.S. Department of Justice, 2020-06-09, xoxb is a prefix only"
    assert redact(text) == text
    assert redact("use s3cr3t-value now") == f"use {REDACTED} now"
    assert redact.value({"a": ["s3cr3t-value", 1], "n": 2}) == {"a": [REDACTED, 1], "n": 2}


async def test_slack_and_discord_runs_end_to_end_leave_no_token_in_any_log_or_file(
    tmp_path: Path, restore_logging: None, seed_answerer: Answerer
) -> None:
    """Both adapters, with the real client libraries at DEBUG (they echo requests and gateway frames), answer
    through their loopback fakes; then every captured line and every file the run wrote is searched."""
    from bot.platforms.discord.run import run_discord
    from bot.platforms.slack import start_slack
    from bot.platforms.slack.payloads import ACTION_VOTE_UP, ButtonValue, encode_value
    from tests.bot.platforms.discord.fake_discord import FakeDiscord
    from tests.bot.platforms.discord.fake_discord import fixture as discord_fixture
    from tests.bot.platforms.slack.conftest import HttpSlack, Outcomes
    from tests.bot.platforms.slack.conftest import fixture as slack_fixture
    from tests.bot.platforms.slack.fake_slack import FakeSlack

    config = make_config(tmp_path)
    config.corpus.cache_dir = str(tmp_path / "cache")
    config.feedback.path = str(tmp_path / "feedback.jsonl")
    stream = io.StringIO()
    setup_logging(config, stream)
    slack_fake = FakeSlack()
    await slack_fake.start()
    config.slack.api_url = slack_fake.api_url
    outcomes = Outcomes()
    slack = await start_slack(config, seed_answerer, http=True, port=0, host="127.0.0.1", on_outcome=outcomes.append)
    try:
        http = HttpSlack(slack, slack_fake, outcomes, secret=TOKENS["SLACK_SIGNING_SECRET"])
        assert (await http.event(slack_fixture("app_mention.json")))[0] == 200
        slack_fake.failing["chat.postMessage"] = "not_in_channel"  # an error path, logged with its exception
        assert (await http.event(slack_fixture("message_im.json")))[0] == 200
        assert (await http.send("{}", "application/json", signature="v0=" + "0" * 64))[0] == 401
        # a 👍 on an answer to a question with a secret pasted in: the feedback file must not keep it
        value = encode_value(ButtonValue(f"{QUESTION} {TOKENS['SLACK_SIGNING_SECRET']}"))
        click = slack_fixture(
            "block_actions.json", response_url=slack_fake.response_url("vote"), action_id=ACTION_VOTE_UP, value=value
        )
        assert (await http.action(click))[0] == 200
        await outcomes.wait(3)
        assert [o.result for o in outcomes if o.trigger == ACTION_VOTE_UP] == ["recorded"]
        assert slack_fake.posts()[0].token == TOKENS["SLACK_BOT_TOKEN"]  # the real token was used ...
    finally:
        await slack.close()
        await slack_fake.stop()

    async with FakeDiscord(token=TOKENS["DISCORD_TOKEN"]) as discord_fake:
        config.discord.api_base, config.discord.gateway_url = discord_fake.api_base, discord_fake.gateway_url
        bot = asyncio.create_task(run_discord(config, seed_answerer))
        try:
            await discord_fake.wait_for(lambda: discord_fake.identified.is_set() or bot.done())
            assert not bot.done()
            await discord_fake.dispatch("MESSAGE_CREATE", discord_fixture("message_mention"))
            await discord_fake.wait_for_call("POST", r"/channels/\d+/messages")
            identify = next(frame["d"] for _, frame in discord_fake.received if frame["op"] == 2)
            assert identify["token"] == TOKENS["DISCORD_TOKEN"]  # ... on both platforms
        finally:
            bot.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bot
    for handler in logging.getLogger().handlers:
        handler.flush()

    captured = stream.getvalue()
    files = written(tmp_path)
    assert '"logger": "slack_sdk' in captured and '"logger": "discord.gateway"' in captured  # DEBUG lines were captured
    assert '"event": "answer", "platform": "slack"' in captured and '"platform": "discord"' in captured
    assert (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").count(REDACTED) == 1
    for secret in ALL_SECRETS:
        assert secret not in captured, secret
        assert secret not in files, secret
