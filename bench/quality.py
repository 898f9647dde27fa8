"""``make eval``: answer quality on SQuAD dev, Wikinews dev and the seed article, with semantic evidence on and off.

    python -m bench.quality [--squad DIR] [--squad-limit N] [--sets wikinews,seed,squad] [--modes on,off] [--answers DIR]

For each set and each ``[answer] semantic`` setting it asks every question with ``k = 10`` through the real
:class:`bot.answerer.Answerer` and scores the JSON answers exactly as ``../shared/eval/score.py`` does: a question
is answered at rank r when the r-th passage comes from its article and covers the start of one of its answers;
P@1, MRR@10 and R@3 over answerable questions (a declined one scores zero), the share of them answered, and per
unanswerable kind the share declined. The off-corpus questions (``eval/off_corpus.txt``) are asked of the SQuAD
corpus and of the seed article. Latency is per answer (retrieval, semantic scoring, presentation), p50 and p99.
``--answers DIR`` also writes each run's answers as JSON lines, for ``score.py``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.paths import ROOT, squad_dir
from bot.evaluate import Report
from bot.models import Question
from bot.answerer import Answerer, AnswerSettings
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex

WIKINEWS = ROOT.parent / "shared" / "eval" / "wikinews"


@dataclass(frozen=True)
class Item:
    """One question: its text, the article that answers it (if any), where its answers start, and its kind."""

    text: str
    article_id: str | None
    starts: tuple[int, ...]
    answerable: bool
    kind: str


@dataclass
class Figures:
    """score.py's figures for one run: answerable questions (a :class:`bot.evaluate.Report`, with the latencies),
    and per unanswerable kind ``[declined, asked]``."""

    report: Report
    declined: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))


def read_items(path: Path) -> list[Item]:
    """A questions file: JSON lines (score.py's shape) or plain text, one unanswerable "off-corpus" question per line."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if path.suffix != ".jsonl":
            items.append(Item(line.strip(), None, (), False, "off-corpus"))
            continue
        row = json.loads(line)
        answerable = bool(row.get("answerable", True))
        starts = tuple(int(a["start"]) for a in row.get("answers", []))
        kind = row.get("kind", "on-topic" if answerable else "unanswerable")
        items.append(Item(row["question"], row.get("article_id"), starts, answerable, kind))
    return items


def score(items: Sequence[Item], answers: Sequence[dict[str, Any]], latencies_ms: Sequence[float] = ()) -> Figures:
    """score.py's scoring of ``answers`` (the ``quotebot ask --format json`` shape), one per item in order."""
    fig = Figures(Report(latencies_ms=list(latencies_ms)))
    for item, a in zip(items, answers, strict=True):
        passages = a.get("passages") or []
        if not item.answerable:
            d = fig.declined[item.kind]
            d[0] += a.get("answered") is False or not passages
            d[1] += 1
            continue
        rank = next(
            (
                r
                for r, p in enumerate(passages[:10])
                if p.get("source") == item.article_id and any(p["start"] <= s < p["end"] for s in item.starts)
            ),
            None,
        )
        fig.report.overall.add(rank, bool(a.get("answered", bool(passages))))
    return fig


def ask(answerer: Answerer, items: Sequence[Item]) -> tuple[list[dict[str, Any]], list[float]]:
    """Every item's JSON answer (``k = 10``) and its latency in ms."""
    answers, latencies = [], []
    for item in items:
        started = time.perf_counter()
        answer = answerer.answer(Question(item.text, platform="eval", k=10))
        latencies.append((time.perf_counter() - started) * 1000)
        answers.append(answer.to_json())
    return answers, latencies


def line(name: str, fig: Figures) -> str:
    """One table row: the figures of one run."""
    report = fig.report
    f = report.overall.figures()
    declined = " ".join(f"{kind} {d[0] / d[1]:.3f} (n={d[1]})" for kind, d in sorted(fig.declined.items()))
    head = f"P@1 {f['p@1']:.3f}  MRR@10 {f['mrr@10']:.3f}  R@3 {f['r@3']:.3f}  answered {f['answered']:.3f} (n={f['n']})" if f["n"] else ""
    return f"{name:<26} {head}  declined: {declined or '-'}  latency p50 {report.latency(50):.1f} ms p99 {report.latency(99):.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--squad-limit", type=int, help="only the first N SQuAD questions")
    ap.add_argument("--squad", type=Path, help="the SQuAD dev folder (default: found beside the checkout)")
    ap.add_argument("--sets", default="wikinews,seed,squad")
    ap.add_argument("--modes", default="on,off", help="semantic on, off, or both")
    ap.add_argument("--answers", type=Path, help="write each run's answers (JSON lines) into this folder")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON lines")
    args = ap.parse_args()
    off_corpus = read_items(ROOT / "eval" / "off_corpus.txt")
    runs: list[tuple[str, list[Path], list[Item]]] = []
    for name in args.sets.split(","):
        if name == "wikinews":
            runs.append(("Wikinews dev", [WIKINEWS / "articles.jsonl"], read_items(WIKINEWS / "questions.jsonl")))
        elif name == "seed":
            runs.append(("seed", [ROOT / "seeds"], read_items(ROOT / "eval" / "seed_questions.jsonl") + off_corpus))
        elif name == "squad":
            squad = args.squad or squad_dir()
            questions = read_items(squad / "questions.jsonl")
            if args.squad_limit is not None:
                questions = questions[: args.squad_limit]
            runs.append(("SQuAD dev", [squad / "articles.jsonl"], questions + off_corpus))
        else:
            raise SystemExit(f"unknown set {name!r}: expected wikinews, seed or squad")
    for name, corpus, items in runs:
        index = SentenceIndex.build(load_corpus(corpus))
        for mode in args.modes.split(","):
            answerer = Answerer(index, AnswerSettings(semantic=mode == "on"))
            answerer.answer(Question("warm up the model and the tables"))
            started = time.perf_counter()
            answers, latencies = ask(answerer, items)
            seconds = time.perf_counter() - started
            fig = score(items, answers, latencies)
            print(line(f"{name} semantic={mode}", fig) + f"  ({seconds:.0f} s)", flush=True)
            if args.json:
                declined = {k: d[0] / d[1] for k, d in fig.declined.items()}
                row = {"set": name, "semantic": mode, **fig.report.to_json(), "declined": declined}
                print(json.dumps({k: v for k, v in row.items() if k != "by_type"}))
            if args.answers:
                args.answers.mkdir(parents=True, exist_ok=True)
                out = args.answers / f"{name.split()[0].lower()}-{mode}.jsonl"
                out.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8")


if __name__ == "__main__":
    main()
