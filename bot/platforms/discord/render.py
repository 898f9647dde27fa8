"""Discord rendering: an answer as an embed (question as title, quotes in the description), inside Discord's limits."""

from __future__ import annotations

import json
from typing import Any

from ...models import Answer, Passage
from ...render.markup import discord_escape, shorten
from ...render.views import passage_view, template

#: Discord embed limits.
DISCORD_TITLE_CHARS = 256
DISCORD_DESCRIPTION_CHARS = 4096
DISCORD_FOOTER_CHARS = 2048
DISCORD_EMBED_TOTAL = 6000
DISCORD_COLOUR = 0x4F7CAC
#: In a Discord answer: the longest article title shown, and how many syndicated copies are named (the rest counted).
DISCORD_SOURCE_TITLE_CHARS = 100
DISCORD_ALSO_SHOWN = 2
DISCORD_ALSO_TITLE_CHARS = 60


def _discord_passage_view(p: Passage, number: int, limit: int) -> dict[str, Any]:
    """A passage for Discord: titles kept short and at most a few syndicated copies named, so quotes keep the room."""
    return passage_view(
        p, number, discord_escape, "**", limit, DISCORD_SOURCE_TITLE_CHARS, DISCORD_ALSO_SHOWN, DISCORD_ALSO_TITLE_CHARS
    )


def _discord_blocks(answer: Answer, budget: int) -> list[str]:
    """One markdown block per passage, all together within ``budget`` characters."""
    n = max(len(answer.passages), 1)
    limit = max(40, budget // n - 120)
    while True:
        blocks = []
        for i, p in enumerate(answer.passages):
            view = _discord_passage_view(p, answer.offset + i + 1, limit)
            blocks.append(template("discord_passage.j2").render(p=view))
        if sum(len(b) + 2 for b in blocks) <= budget or limit <= 40:
            break
        limit = int(limit * 0.8)
    while blocks and sum(len(b) + 2 for b in blocks) > budget:
        blocks.pop()
    return blocks


def discord_embed(answer: Answer) -> dict[str, Any]:
    """An embed dict (as ``discord.Embed.to_dict``): question as title, quotes in the description."""
    title, _ = shorten(" ".join(answer.question.split()), [], DISCORD_TITLE_CHARS)
    embed: dict[str, Any] = {"type": "rich", "title": discord_escape(title)[:DISCORD_TITLE_CHARS], "color": DISCORD_COLOUR}
    if answer.answered:
        budget = min(DISCORD_DESCRIPTION_CHARS, DISCORD_EMBED_TOTAL - len(embed["title"]) - 200)
        blocks = _discord_blocks(answer, budget)
        embed["description"] = "\n\n".join(blocks)
        first, last = answer.offset + 1, answer.offset + len(blocks)
        note = f" · {answer.note}" if answer.note else ""
        embed["footer"] = {"text": f"quotes {first}–{last} · verbatim from the corpus{note}"[:DISCORD_FOOTER_CHARS]}
    else:
        embed["description"] = shorten(discord_escape(answer.message), [], DISCORD_DESCRIPTION_CHARS)[0]
    return embed


def render_discord(answer: Answer) -> dict[str, Any]:
    """A Discord message body: an embed, and ``allowed_mentions`` that can ping nobody."""
    return {"content": "", "embeds": [discord_embed(answer)], "allowed_mentions": {"parse": []}}


def render_discord_json(answer: Answer) -> str:
    """The exact Discord message body, as indented JSON (``--format discord``)."""
    return json.dumps(render_discord(answer), ensure_ascii=False, indent=2)
