"""Retrying a Slack Web API call refused with 429, without holding an answer slot during the wait.

slack_sdk's own :class:`AsyncRateLimitErrorRetryHandler` sleeps ``Retry-After`` seconds inside the
call, so a reply posted to a rate-limited channel kept one of the ``[limits] max_concurrent_answers``
slots for the whole wait and stalled questions from other channels. :class:`SlotFreeRateLimitRetryHandler`
waits with the slot given back (:meth:`bot.lifecycle.Lifecycle.slot_released`), and reads a
``Retry-After`` that is missing or not a number as one second instead of raising.
"""

from __future__ import annotations

import asyncio
import random

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from ...lifecycle import Lifecycle

#: Longest wait honoured for one ``Retry-After`` (Slack asks for seconds to a minute).
MAX_RETRY_AFTER = 120.0


def retry_after_seconds(response: HttpResponse) -> float:
    """The ``Retry-After`` of a 429, in seconds (1 when missing or not a number, at most :data:`MAX_RETRY_AFTER`)."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return min(max(float(values[0]), 0.0), MAX_RETRY_AFTER)
            except ValueError:
                break
    return 1.0


class SlotFreeRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after its ``Retry-After`` (plus up to a second of jitter), with the answer slot released meanwhile."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait out the rate limit without holding an answer slot, then let the client try again."""
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        async with Lifecycle.slot_released():
            await asyncio.sleep(retry_after_seconds(response) + random.random())
        state.increment_current_attempt()
