"""A 429 with Retry-After on one channel's reply does not hold an answer slot: other channels are answered meanwhile."""

from __future__ import annotations

import copy

from bot.config import Config

from .conftest import StartHttp, fixture
from .fake_slack import Fault


async def test_a_rate_limited_reply_does_not_stall_answers_in_other_channels(start_http: StartHttp, slack_config: Config) -> None:
    config = copy.deepcopy(slack_config)
    config.limits.max_concurrent_answers = 1  # one slot: a wait that held it would stall everything
    http_slack = await start_http(config)
    http_slack.fake.inject("chat.postMessage", Fault("ratelimited", retry_after=2))
    assert (await http_slack.event(fixture("app_mention.json")))[0] == 200  # in C0NEWS: its post gets the 429
    await http_slack.fake.wait_for(lambda: ("chat.postMessage", "ratelimited") in http_slack.fake.attempts)
    assert (await http_slack.event(fixture("message_im.json")))[0] == 200  # a DM, asked during the wait
    outcomes = await http_slack.outcomes.wait(2)
    assert [o.result for o in outcomes] == ["answered", "answered"]
    # The DM's answer was posted first, while the channel's reply was still waiting out its Retry-After.
    assert [p.args["channel"] for p in http_slack.fake.posts()] == ["D0DIRECT", "C0NEWS"]


def test_retry_after_is_read_safely() -> None:
    from slack_sdk.http_retry.response import HttpResponse

    from bot.platforms.slack.retry import MAX_RETRY_AFTER, retry_after_seconds

    def response(headers: dict[str, list[str]]) -> HttpResponse:
        return HttpResponse(status_code=429, headers=headers)

    assert retry_after_seconds(response({"Retry-After": ["3"]})) == 3.0
    assert retry_after_seconds(response({"retry-after": ["soon"]})) == 1.0  # slack_sdk's own handler raised here
    assert retry_after_seconds(response({})) == 1.0
    assert retry_after_seconds(response({"Retry-After": ["100000"]})) == MAX_RETRY_AFTER
