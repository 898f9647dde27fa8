"""Starting the Slack adapter: token checks, ``auth.test``, the CLI, ``run_slack`` in a running loop, the manifest."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import time
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.answerer import Answerer
from bot.cli import main
from bot.config import Config, Secret
from bot.platforms.slack import RunningSlack, SlackStartupError, run_slack, start_slack
from bot.platforms.slack.payloads import ACTIONS
from tests.bot_process import BotProcess
from tests.conftest import IBM_QUOTE, SEEDS

from .conftest import BOT_TOKEN, SIGNING_SECRET, HttpSlack, Outcomes, fixture
from .fake_slack import FakeSlack

MANIFEST = Path(__file__).resolve().parents[4] / "bot" / "platforms" / "slack" / "manifest.json"


@pytest.mark.parametrize(
    ("http", "drop", "expected"),
    [
        (False, "app_token", "Socket Mode needs SLACK_APP_TOKEN"),
        (False, "bot_token", "Socket Mode needs SLACK_BOT_TOKEN"),
        (True, "signing_secret", "HTTP mode (--http) needs SLACK_SIGNING_SECRET"),
        (True, "bot_token", "HTTP mode (--http) needs SLACK_BOT_TOKEN"),
    ],
)
async def test_missing_tokens_give_one_clear_error_before_any_call(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer, http: bool, drop: str, expected: str
) -> None:
    setattr(slack_config.slack, drop, None)
    with pytest.raises(SlackStartupError, match=re.escape(expected)):
        await start_slack(slack_config, seed_answerer, http=http, port=0, host="127.0.0.1")
    assert fake_slack.calls == []


async def test_a_bot_token_in_place_of_the_app_token_is_refused(slack_config: Config, seed_answerer: Answerer) -> None:
    slack_config.slack.app_token = Secret("xoxb-wrong-kind")
    with pytest.raises(SlackStartupError, match="xapp-"):
        await start_slack(slack_config, seed_answerer, http=False)


async def test_failing_auth_test_is_one_clear_error_without_the_token(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    fake_slack.auth_error = "invalid_auth"
    with pytest.raises(SlackStartupError) as caught:
        await start_slack(slack_config, seed_answerer, http=True, port=0, host="127.0.0.1")
    assert "auth.test: invalid_auth" in str(caught.value) and BOT_TOKEN not in str(caught.value)
    assert [c.method for c in fake_slack.calls] == ["auth.test"]
    assert fake_slack.calls[0].token == BOT_TOKEN


async def test_a_refused_app_token_is_one_clear_error(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    fake_slack.open_error = "invalid_auth"
    with pytest.raises(SlackStartupError, match=re.escape("Slack refused the app token (apps.connections.open: invalid_auth)")):
        await start_slack(slack_config, seed_answerer, http=False)
    assert fake_slack.connections == 0


async def test_a_busy_port_is_one_clear_error(fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer) -> None:
    with pytest.raises(SlackStartupError, match="cannot listen on 127.0.0.1:"):
        await start_slack(slack_config, seed_answerer, http=True, port=fake_slack.port, host="127.0.0.1")


def test_cli_without_tokens_exits_2_naming_the_variables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "--corpus", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN and SLACK_APP_TOKEN" in err and "Traceback" not in err


def test_cli_http_mode_with_unreachable_api_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "quotebot.toml"
    config.write_text(f'[slack]\napi_url = "http://127.0.0.1:{port}/api/"\n', encoding="utf-8")
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    # Slack out of reach is a runtime failure (exit 1); a refused token would be 2.
    assert main(["--config", str(config), "slack", "--http", "--port", "0", "--host", "127.0.0.1", "--corpus", str(SEEDS)]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the Slack Web API" in err and BOT_TOKEN not in err


async def test_run_slack_serves_inside_the_running_loop_until_stopped(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    stop = asyncio.Event()
    ready: asyncio.Future[RunningSlack] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_slack(slack_config, seed_answerer, http=True, port=0, host="127.0.0.1", stop=stop, ready=ready.set_result)
    )
    service = await asyncio.wait_for(ready, 10)
    slack = HttpSlack(service, fake_slack, Outcomes())
    assert (await slack.event(fixture("message_im.json")))[0] == 200
    await fake_slack.wait_for(lambda: bool(fake_slack.posts()))
    stop.set()
    await asyncio.wait_for(task, 10)
    with pytest.raises(OSError):
        await slack.event(fixture("message_im.json"))


def test_manifest_asks_for_exactly_what_the_bot_uses() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == ["app_mentions:read", "chat:write", "commands", "im:history"]
    assert "user" not in manifest["oauth_config"]["scopes"]
    settings = manifest["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


async def test_the_app_listens_for_exactly_the_manifest_events_command_and_buttons(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    service = await start_slack(slack_config, seed_answerer, http=True, port=0, host="127.0.0.1")
    try:
        names = {listener.ack_function.__name__ for listener in service.app._async_listeners}
        assert names == {"on_event", "on_ask", "on_action"}
        assert len(service.app._async_listeners) == 3 + len(ACTIONS)
    finally:
        await service.runner.stop()


async def post_signed(url: str, event: dict[str, object]) -> int:
    """POST ``event`` to a bot's Events API URL, signed as Slack signs it; the response status."""
    body = json.dumps(event)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body) or ""
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


async def test_quotebot_slack_http_serves_a_signed_mention_and_stops_cleanly_on_sigterm(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = tmp_path / "quotebot.toml"
    config.write_text(f'[slack]\napi_url = "{fake_slack.api_url}"\n[feedback]\npath = "feedback.jsonl"\n', encoding="utf-8")
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    args = ["slack", "--http", "--port", "0", "--host", "127.0.0.1", "--corpus", str(SEEDS)]
    async with BotProcess(config, args, env) as bot:
        url = (await bot.read_until(r"listening on (http://127\.0\.0\.1:\d+/slack/events)", timeout=30)).group(1)
        assert await post_signed(url, fixture("app_mention.json")) == 200
        await fake_slack.wait_for(lambda: bool(fake_slack.posts()))
        assert IBM_QUOTE in fake_slack.posts()[0].args["text"]
        code, output = await bot.stop()
    assert code == 0, output
    assert "`token` will be unused" not in output and BOT_TOKEN not in output and "Traceback" not in output


async def test_a_running_bot_answers_from_an_article_added_while_it_runs(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """`[corpus] watch = true` (the default): a file dropped into the corpus is answerable without a restart."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed.txt").write_text((SEEDS / "000_c80df7419379041d.txt").read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "quotebot.toml"
    config.write_text(
        f'[corpus]\npaths = ["{corpus}"]\ncache_dir = "{tmp_path / "cache"}"\n[slack]\napi_url = "{fake_slack.api_url}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    async with BotProcess(config, ["slack", "--http", "--port", "0", "--host", "127.0.0.1"], env) as bot:
        url = (await bot.read_until(r"listening on (http://127\.0\.0\.1:\d+/slack/events)")).group(1)
        await bot.read_until(r"corpus: watching")
        (corpus / "zeppelins.txt").write_text(
            "date 2021-05-01\nThe airship museum restored a zeppelin gondola for its centenary show.", encoding="utf-8"
        )
        await bot.read_until(r"corpus: updated; 1 changed")
        event = fixture("app_mention.json")
        event["event_id"] = "Ev0ZEPPELIN"
        event["event"]["ts"] = event["event"]["event_ts"] = "1591700001.000100"
        event["event"]["text"] = "<@UQUOTEBOT> What did the airship museum restore?"
        assert await post_signed(url, event) == 200
        await fake_slack.wait_for(lambda: bool(fake_slack.posts()))
        post = fake_slack.posts()[0].args["text"]
        assert "zeppelin gondola" in post and "2021-05-01" in post
        code, log = await bot.stop()
    assert code == 0, log
