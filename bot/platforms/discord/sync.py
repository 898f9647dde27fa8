"""Slash-command sync that heals: the commands Discord has are compared with the ones the bot defines.

At start the bot reads each target's commands from Discord (one ``GET`` for global, or one per guild) and
sends its own (``PUT``) only when they differ, logging what it synced and why. So ``/ask`` comes back when
Discord has lost it (a new application, commands deleted in the Developer Portal, another deploy that synced
something else), and an unchanged schema costs one read, not a write (Discord rate-limits command writes, and a
global write takes a while to reach every client).

The small JSON file under the cache folder is not trusted to say what Discord has: since the read is needed
anyway, a local hash would save no request. It only remembers which guilds this application synced to, so a
guild that is no longer targeted gets its commands removed.
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

#: The file, under the cache folder, that records the targets this application synced to (with the schema's hash).
HASH_FILE = "discord-commands.json"

#: Values Discord leaves out of the commands it returns when they are the default.
_DEFAULTS: dict[str, Any] = {"nsfw": False, "required": False, "autocomplete": False, "dm_permission": True}
#: Keys Discord omits (or returns as null) where they do not apply, e.g. ``contexts`` on a guild command.
_OPTIONAL = frozenset({"dm_permission", "contexts", "integration_types"})
#: Lists whose order means nothing.
_UNORDERED = frozenset({"contexts", "integration_types", "channel_types"})


def schema_hash(payload: Sequence[dict[str, Any]]) -> str:
    """A stable hash of a command schema (the JSON discord.py sends when syncing)."""
    canonical = json.dumps(list(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _normal(key: str, value: Any) -> Any:
    """``value`` as compared: absent, null, empty and default values are all ``None``; permissions as strings."""
    if value is None or value == [] or value == {} or value == "":
        return None
    if key in _DEFAULTS and value == _DEFAULTS[key] and type(value) is type(_DEFAULTS[key]):
        return None
    if key == "default_member_permissions":
        return str(value)
    if key in _UNORDERED and isinstance(value, list):
        return sorted(value, key=str)
    return value


def differences(wanted: dict[str, Any], actual: dict[str, Any], where: str = "") -> list[str]:
    """The fields of ``wanted`` (one command or option, as discord.py sends it) that ``actual`` (as Discord returns
    it, with ids and versions added) does not match, as dotted paths like ``options.question.max_length``."""
    out: list[str] = []
    for key, want in wanted.items():
        have = actual.get(key)
        if key in _OPTIONAL and have is None:
            continue
        w, h = _normal(key, want), _normal(key, have)
        if isinstance(w, list) and isinstance(h, list) and all(isinstance(x, dict) for x in (*w, *h)):
            if len(w) != len(h):
                out.append(f"{where}{key}")
                continue
            for a, b in zip(w, h, strict=True):
                out += differences(a, b, f"{where}{key}.{a.get('name', '?')}.")
        elif w != h:
            out.append(f"{where}{key}")
    return out


def why_sync(wanted: Sequence[dict[str, Any]], current: Sequence[dict[str, Any]]) -> str | None:
    """Why Discord's ``current`` commands for a target must be replaced by ``wanted``; ``None`` when they match."""
    have = {(c.get("name"), c.get("type", 1)): c for c in current}
    want = {(c.get("name"), c.get("type", 1)): c for c in wanted}
    reasons: list[str] = []
    if not current and wanted:
        return "Discord has no commands there"
    missing = [c["name"] for key, c in want.items() if key not in have]
    extra = [c.get("name") for key, c in have.items() if key not in want]
    if missing:
        reasons.append("Discord lacks " + ", ".join(f"/{n}" for n in missing))
    if extra:
        reasons.append("Discord has " + ", ".join(f"/{n}" for n in extra) + ", which this bot does not define")
    for key, command in want.items():
        if key in have and (fields := differences(command, have[key])):
            reasons.append(f"/{command['name']} differs in {', '.join(fields)}")
    return "; ".join(reasons) or None


class CommandSync:
    """Syncs a command tree to global or guild targets where Discord's commands differ; ``path`` records the targets."""

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
            log.warning("could not save the synced targets to %s (%s); a guild dropped later may keep its /ask", self.path, exc)

    async def sync(
        self,
        tree: app_commands.CommandTree[Any],
        application_id: int,
        guild_ids: Sequence[int] = (),
        force: bool = False,
    ) -> list[str]:
        """Sync to each of ``guild_ids`` (instant, for development), else globally, where Discord's commands differ.

        A guild this application synced to before (it is in the file) but no longer targets gets its
        commands removed, so moving from guild to global sync, or dropping a guild, leaves no second ``/ask``
        behind. Global commands are never removed this way: a development run with ``guild_ids`` must not
        take ``/ask`` away from every other server. ``force`` (``quotebot discord --sync``) writes without comparing.

        Returns the targets actually synced (``"global"`` or ``"guild:<id>"``) and cleared
        (``"cleared guild:<id>"``). A failed sync is logged and tried again next start; it never stops the bot.
        """
        http = tree.client.http
        records = self._load()
        guilds: list[discord.Object | None] = [discord.Object(g) for g in guild_ids] or [None]
        synced: list[str] = []
        for guild in guilds:
            target = f"guild:{guild.id}" if guild else "global"
            key = f"{application_id}:{target}"
            payload = [c.to_dict(tree) for c in tree.get_commands(guild=guild)]
            reason = "forced (--sync)" if force else await self._why(http, application_id, guild, payload, target)
            if reason is None:
                log.info("discord commands for %s match what Discord has (%s); not syncing", target, _names(payload))
                records[key] = schema_hash(payload)
                continue
            try:
                await tree.sync(guild=guild)
            except discord.HTTPException as exc:
                log.error("syncing discord commands to %s failed: %s", target, exc)
                continue
            log.info("synced discord commands to %s (%s): %s", target, _names(payload), reason)
            records[key] = schema_hash(payload)
            synced.append(target)
        wanted = {f"{application_id}:guild:{g}" for g in guild_ids}
        for key in sorted(k for k in records if k.startswith(f"{application_id}:guild:") and k not in wanted):
            target = key.split(":", 1)[1]
            try:
                guild = discord.Object(int(target.split(":")[1]))
            except ValueError:
                del records[key]
                continue
            if await self._why(http, application_id, guild, [], target) is None:
                log.info("discord has no commands left in %s, which is no longer targeted", target)
                del records[key]
                continue
            try:
                # The tree holds no commands for that guild, so this sends an empty list: Discord deletes them.
                await tree.sync(guild=guild)
            except discord.HTTPException as exc:
                log.error("removing the discord commands left in %s failed: %s", target, exc)
                continue
            log.info("removed the discord commands an earlier sync left in %s, which is no longer targeted", target)
            del records[key]
            synced.append(f"cleared {target}")
        self._save(records)
        return synced

    @staticmethod
    async def _why(
        http: Any, application_id: int, guild: discord.Object | None, payload: list[dict[str, Any]], target: str
    ) -> str | None:
        """Why ``target`` needs ``payload`` written, from the commands Discord reports (a failed read: write anyway)."""
        try:
            if guild is None:
                current = await http.get_global_commands(application_id)
            else:
                current = await http.get_guild_commands(application_id, guild.id)
        except discord.HTTPException as exc:
            log.warning("could not read the discord commands of %s (%s); syncing anyway", target, exc)
            return f"could not read what Discord has ({exc.status})"
        return why_sync(payload, current if isinstance(current, list) else [])


def _names(payload: Sequence[dict[str, Any]]) -> str:
    """``/ask`` style names of the commands in ``payload``, or ``no commands``."""
    return ", ".join(f"/{c.get('name')}" for c in payload) or "no commands"
