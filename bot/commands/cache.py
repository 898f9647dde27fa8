"""``quotebot cache list|prune``: show the saved indexes, and remove those no running process has loaded."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from retrieval import SavedIndex, default_cache_dir, prune, saved_indexes

from .common import config_from


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cache`` subcommand."""
    p = subparsers.add_parser(
        "cache",
        help="list or prune the saved indexes ($QUOTEBOT_CACHE_DIR, default ~/.cache/quotebot)",
        description="list: every saved index in the cache folder ([corpus] cache_dir, else $QUOTEBOT_CACHE_DIR, else "
        "~/.cache/quotebot) with its size, age, articles, sentences, corpus and whether a running process has it loaded. "
        "prune: remove every saved index that no running process has loaded (the next start re-indexes its corpus).",
    )
    p.add_argument("action", choices=("list", "prune"), help="list the saved indexes, or remove the unused ones")
    p.add_argument("--dry-run", action="store_true", help="with prune: only say what would be removed")
    p.add_argument("--json", action="store_true", help="one JSON object per saved index")
    p.add_argument(
        "--under", metavar="FOLDER", help="with prune: only the indexes of corpora inside FOLDER (`make clean` passes the checkout)"
    )
    p.set_defaults(func=run)


def cache_folder(args: argparse.Namespace) -> Path:
    """The cache folder the other commands use with this config."""
    config = config_from(args)
    return Path(config.corpus.cache_dir) if config.corpus.cache_dir else default_cache_dir()


def _size(n: int) -> str:
    """``n`` bytes for people: ``512 B``, ``1.2 MB``."""
    value = float(n)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def _line(saved: SavedIndex) -> str:
    counts = f"{saved.articles} article(s), {saved.sentences} sentences" if saved.complete else "incomplete"
    state = "in use" if saved.in_use else "unused"
    corpus = ", ".join(saved.corpus) or "corpus not recorded"
    return f"{saved.path.name}\t{_size(saved.bytes)}\t{saved.modified:%Y-%m-%d %H:%M}\t{counts}\t{state}\t{corpus}"


def run(args: argparse.Namespace) -> int:
    """List or prune the cache folder."""
    base = cache_folder(args)
    if args.action == "list":
        found = list(saved_indexes(base))
        for saved in found:
            print(json.dumps(saved.to_json()) if args.json else _line(saved))
        if not args.json:
            total = sum(s.bytes for s in found)
            print(f"{len(found)} saved index(es), {_size(total)}, in {base}")
        return 0
    removed, kept = prune(base, dry_run=args.dry_run, under=Path(args.under) if args.under else None)
    verb = "would remove" if args.dry_run else "removed"
    for saved in removed:
        print(json.dumps({**saved.to_json(), "removed": not args.dry_run}) if args.json else f"{verb}\t{_line(saved)}")
    for saved in kept:
        print(json.dumps({**saved.to_json(), "removed": False}) if args.json else f"kept\t{_line(saved)}")
    if not args.json:
        freed = sum(s.bytes for s in removed)
        print(f"{verb.capitalize()} {len(removed)} saved index(es) ({_size(freed)}); kept {len(kept)} in use or being written, in {base}")
    return 0
