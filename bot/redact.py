"""What must not reach a log whole: reply URLs and interaction tokens, and questions too long to be questions.

:data:`URL_TOKEN_PATTERNS` are added to :data:`bot.logs.TOKEN_PATTERNS`, so every log record at
every level is scrubbed of them: Slack ``response_url`` s (which let anyone post into the
conversation for 30 minutes) and Discord interaction and webhook tokens (the same, for 15
minutes), as client libraries print them in their DEBUG lines. Each pattern keeps its first
group (the key or URL prefix) and replaces the secret after it.

:func:`question_for_log` shortens a question longer than :data:`MAX_LOGGED_QUESTION` characters
to its length and a short prefix, so a 900 KB ``/ask`` is one short line, not a 900 KB one.
"""

from __future__ import annotations

import re

#: Questions up to this many characters are logged whole (when ``[privacy] log_questions`` allows).
MAX_LOGGED_QUESTION = 300
#: Characters of a longer question kept in the log.
PREFIX_CHARS = 80

URL_TOKEN_PATTERNS = (
    # Slack response_urls: https://hooks.slack.com/commands/T…/…/SECRET and /actions/…, any host.
    re.compile(r"(/(?:commands|actions)/[A-Z0-9]+/\d+/)[A-Za-z0-9]+"),
    re.compile(r"(hooks\.slack\.com/)[^\s'\"<>]+"),
    # A response_url by key: JSON or repr ("response_url": "…"), or form-encoded (response_url=…).
    re.compile(r"""(["']response_url["']\s*:\s*["'])[^"']+"""),
    re.compile(r"(response_url=)[^&\s'\"]+"),
    # Discord interaction callbacks and follow-up webhooks: /interactions/ID/TOKEN, /webhooks/APP_ID/TOKEN.
    re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?'\"]+"),
    # A token by key in a payload: "token": "…" (interactions carry their token so).
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""),
)


def scrub_url_tokens(text: str, replacement: str) -> str:
    """``text`` with every reply URL secret and interaction token replaced by ``replacement``."""
    for pattern in URL_TOKEN_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + replacement, text)
    return text


def question_for_log(text: str, limit: int = MAX_LOGGED_QUESTION) -> str:
    """``text`` if at most ``limit`` characters, else its first :data:`PREFIX_CHARS` characters and its length."""
    if len(text) <= limit:
        return text
    return f"{text[:PREFIX_CHARS]}… [{len(text):,} characters]"
