"""Logs never hold a reply URL or an interaction token, at any level, nor a too-long question in full."""

from __future__ import annotations

import io
import json
import logging

from bot.config import Config, Secret
from bot.logs import Redactor, setup_logging
from bot.redact import question_for_log

from .conftest import BOT_TOKEN, SIGNING_SECRET, StartHttp, fixture

SECRET = "Xy7SecretResponseToken42"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTQwMDAwMDAwMDAwMDAwMDA5OnNlY3JldHRva2Vu"

#: Lines as the client libraries write them at DEBUG (discord.py's HTTP client, slack_sdk's webhook client).
LIBRARY_LINES = [
    f"POST https://discord.com/api/v10/interactions/1400000000000000009/{INTERACTION_TOKEN}/callback with "
    '{"type":5} has returned 204',
    f"PATCH https://discord.com/api/v10/webhooks/1100000000000000001/{INTERACTION_TOKEN}/messages/@original has returned 200",
    f"Sending a request - url: https://hooks.slack.com/commands/T0TEAM/1234567890/{SECRET}, body: {{}}",
    f"Received the following response - status: 200, body: {{'response_url': 'https://example.test/x/{SECRET}'}}",
    f'dispatching {{"id": "1400000000000000009", "token": "{INTERACTION_TOKEN}", "type": 2}}',
    f"payload=%7B%7D&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0%2F1%2F{SECRET}&x=1",
]


def test_reply_urls_and_interaction_tokens_are_redacted_from_library_lines() -> None:
    redact = Redactor()
    for line in LIBRARY_LINES:
        cleaned = redact(line)
        assert SECRET not in cleaned and INTERACTION_TOKEN not in cleaned, cleaned
        assert "[redacted]" in cleaned


async def test_a_900_kb_ask_and_its_response_url_stay_out_of_a_debug_log(start_http: StartHttp, slack_config: Config) -> None:
    config = slack_config
    config.logging.level = "DEBUG"
    stream = io.StringIO()
    setup_logging(config, stream)
    http_slack = await start_http(config)
    question = "Does IBM still sell facial recognition software? " + "x" * 900_000
    fields = fixture("slash_ask.json", response_url=http_slack.fake.slack_shaped_response_url(SECRET))
    fields["text"] = question
    assert (await http_slack.command(fields))[0] == 200
    (outcome,) = await http_slack.outcomes.wait(1)
    assert outcome.result == "no answer"  # too long
    await http_slack.fake.wait_for(lambda: bool(http_slack.fake.posts("response_url")))
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = stream.getvalue()
    assert SECRET not in log and BOT_TOKEN not in log and SIGNING_SECRET not in log
    assert "x" * 1000 not in log  # the question appears as a prefix and its length only
    assert "[900,049 characters]" in log
    assert max(len(line) for line in log.splitlines()) < 20_000


def test_question_for_log_keeps_short_questions_whole() -> None:
    assert question_for_log("Who is Krishna?") == "Who is Krishna?"
    long = "word " * 100
    assert question_for_log(long) == long[:80] + "… [500 characters]"
    assert json.dumps(question_for_log(long))  # a plain string


def test_secret_values_are_still_redacted() -> None:
    assert Secret("abc").value == "abc"
    assert "xoxb-" not in Redactor([BOT_TOKEN])(f"token {BOT_TOKEN}")
