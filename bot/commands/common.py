"""Options and set-up shared by the subcommands."""

from __future__ import annotations

import argparse
import asyncio

from ..bootstrap import Loaded, build_answerer, warn, with_passages
from ..config import Config, load_config
from ..corpus_paths import CorpusError, check_not_empty, check_paths, corpus_paths, log_start
from ..logs import report_fatal
from ..platforms.base import PlatformsFailed
from ..progress import DELAY, BuildProgress, summary
from ..serve import Plan, serve_until_signalled


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """``--corpus PATH`` (repeatable) and ``--rebuild``."""
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="PATH",
        help="a corpus file or folder (repeat for several); default: [corpus] paths from the config, else seeds/",
    )
    parser.add_argument("--rebuild", action="store_true", help="re-index even if the saved index is up to date")


def config_from(args: argparse.Namespace) -> Config:
    """Load the config named by ``--config`` (or the default), applying ``-k`` when given."""
    return with_passages(load_config(args.config), getattr(args, "k", None))


def load(args: argparse.Namespace, config: Config, quiet: bool = False) -> Loaded:
    """Open the index for the command's corpus, warning about any corpus problems on stderr.

    A build that takes over a second shows a progress bar on a terminal, then a summary line.
    A corpus path that does not exist, or a corpus with no articles, raises :class:`~bot.corpus_paths.CorpusError`.
    """
    paths = corpus_paths(config.corpus.paths, args.corpus)
    check_paths(paths)
    with BuildProgress() as progress:
        loaded = build_answerer(config, paths, rebuild=args.rebuild, progress=progress)
    try:
        check_not_empty(loaded.opened, paths)
    except CorpusError:
        loaded.answerer.close()
        raise
    index = loaded.opened.index
    if not loaded.opened.from_cache and loaded.seconds > DELAY:
        warn(summary(index.num_sentences, len(index.articles), loaded.seconds))
    problems = loaded.opened.index.problems
    if problems and not quiet:
        skipped = sum(p.skipped for p in problems)
        warn(f"quotebot: {len(problems)} corpus problem(s), {skipped} skipped; run `quotebot index` for details")
    return loaded


def load_to_serve(args: argparse.Namespace, config: Config) -> Loaded:
    """:func:`load` for a bot: also logs what it serves (articles, sentences, dates, index folder, loaded or built)."""
    loaded = load(args, config)
    log_start(loaded.opened, loaded.seconds, corpus_paths(config.corpus.paths, args.corpus))
    return loaded


def serve_loaded(command: str, args: argparse.Namespace, config: Config, the_plan: Plan) -> int:
    """Load the corpus, serve ``the_plan`` until SIGINT/SIGTERM, and report every platform failure in its platform's
    words (``quotebot COMMAND: message``; ``quotebot run: PLATFORM: message``), on stderr and in the configured log); the exit status."""
    loaded = load_to_serve(args, config)
    try:
        return asyncio.run(serve_until_signalled(config, loaded.answerer, the_plan, args.corpus))
    except PlatformsFailed as failed:
        for failure in failed.failures:
            where = "" if failure.platform == command else f"{failure.platform}: "
            report_fatal(f"quotebot {command}: {where}{failure.message}")
        return failed.exit_code
    finally:
        loaded.answerer.close()
