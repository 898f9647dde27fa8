"""Slash-command sync that only talks to Discord when the command schema changed.

Discord rate-limits command registration, and a global sync takes a while to reach every
client, so syncing on every start is wasteful. The schema sent for each target (global, or
one guild) is hashed, and the hash kept in a small JSON file; an unchanged hash skips the sync.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

#: The file, under the cache folder, that holds the last synced schema hash per target.
HASH_FILE = "discord-commands.json"


def schema_hash(payload: Sequence[dict[str, Any]]) -> str:
    """A stable hash of a command schema (the JSON discord.py sends when syncing)."""
    canonical = json.dumps(list(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CommandSync:
    """Syncs a command tree to global or guild targets, remembering each target's schema hash in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _save(self, hashes: dict[str, str]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(hashes, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not save the command schema hash to %s (%s); commands will sync again next start", self.path, exc)

    async def sync(
        self,
        tree: app_commands.CommandTree[Any],
        application_id: int,
        guild_ids: Sequence[int] = (),
        force: bool = False,
    ) -> list[str]:
        """Sync to each of ``guild_ids`` (instant, for development), else globally; skip unchanged targets.

        A guild this application synced to before (it is in the hash file) but no longer targets gets its
        commands removed, so moving from guild to global sync, or dropping a guild, leaves no second ``/ask``
        behind. Global commands are never removed this way: a development run with ``guild_ids`` must not
        take ``/ask`` away from every other server.

        Returns the targets actually synced (``"global"`` or ``"guild:<id>"``) and cleared
        (``"cleared guild:<id>"``). A failed sync is logged and not remembered, so the next start tries
        again; it never stops the bot.
        """
        hashes = self._load()
        guilds: list[discord.Object | None] = [discord.Object(g) for g in guild_ids] or [None]
        synced: list[str] = []
        for guild in guilds:
            target = f"guild:{guild.id}" if guild else "global"
            key = f"{application_id}:{target}"
            digest = schema_hash([c.to_dict(tree) for c in tree.get_commands(guild=guild)])
            if not force and hashes.get(key) == digest:
                log.info("discord commands for %s unchanged; not syncing", target)
                continue
            try:
                await tree.sync(guild=guild)
            except discord.HTTPException as exc:
                log.error("syncing discord commands to %s failed: %s", target, exc)
                continue
            log.info("synced discord commands to %s", target)
            hashes[key] = digest
            synced.append(target)
        wanted = {f"{application_id}:guild:{g}" for g in guild_ids}
        for key in sorted(k for k in hashes if k.startswith(f"{application_id}:guild:") and k not in wanted):
            target = key.split(":", 1)[1]
            try:
                # The tree holds no commands for that guild, so this sends an empty list: Discord deletes them.
                await tree.sync(guild=discord.Object(int(target.split(":")[1])))
            except (discord.HTTPException, ValueError) as exc:
                log.error("removing the discord commands left in %s failed: %s", target, exc)
                continue
            log.info("removed the discord commands an earlier sync left in %s", target)
            del hashes[key]
            synced.append(f"cleared {target}")
        self._save(hashes)
        return synced
