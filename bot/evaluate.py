"""Scoring a retrieval run against questions with answer offsets (SQuAD-style), as ``score.py`` does.

A question is answered at rank r when the r-th passage comes from its article
(``source == article_id``) and its ``[start, end)`` span covers the start of one
of its answers. The figures are P@1, MRR@10 and R@3 over all questions (a
question with no passage scores zero), the answered rate (questions with at
least one passage), latency percentiles, and the same per question type.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval import TYPES, question_type

from .answerer import Answerer
from .models import Question


@dataclass(frozen=True)
class EvalQuestion:
    """One evaluation question: its text, the article that answers it, and where the answers start."""

    id: str
    text: str
    article_id: str
    answer_starts: tuple[int, ...]


@dataclass
class Tally:
    """Running sums for one group of questions."""

    n: int = 0
    p1: float = 0.0
    mrr: float = 0.0
    r3: float = 0.0
    answered: int = 0

    def add(self, rank: int | None, answered: bool) -> None:
        """Count one question answered correctly at 0-based ``rank`` (``None``: not in the top 10)."""
        self.n += 1
        self.answered += answered
        if rank is not None:
            self.p1 += rank == 0
            self.r3 += rank < 3
            self.mrr += 1 / (rank + 1)

    def figures(self) -> dict[str, float]:
        """``{"n", "p@1", "mrr@10", "r@3", "answered"}`` as fractions."""
        n = max(self.n, 1)
        return {
            "n": self.n,
            "p@1": self.p1 / n,
            "mrr@10": self.mrr / n,
            "r@3": self.r3 / n,
            "answered": self.answered / n,
        }


@dataclass
class Report:
    """The figures of one evaluation run, overall and per question type."""

    overall: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: {t: Tally() for t in TYPES})
    latencies_ms: list[float] = field(default_factory=list)

    def latency(self, q: float) -> float:
        """The ``q``-th latency percentile in milliseconds (nearest rank), 0 when nothing was timed."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            **self.overall.figures(),
            "latency_ms": {"p50": round(self.latency(50), 2), "p99": round(self.latency(99), 2)},
            "by_type": {t: tally.figures() for t, tally in self.by_type.items() if tally.n},
        }


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a questions file: one ``{"id", "question", "article_id", "answers": [{"text", "start"}]}`` per line."""
    out: list[EvalQuestion] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            starts = tuple(int(a["start"]) for a in row.get("answers", []))
            out.append(EvalQuestion(str(row.get("id", len(out))), row["question"], str(row["article_id"]), starts))
    return out


def hit_rank(question: EvalQuestion, passages: Sequence[dict[str, Any]]) -> int | None:
    """The 0-based rank of the first of the top 10 ``passages`` that answers ``question``, else ``None``."""
    for rank, p in enumerate(passages[:10]):
        if p.get("source") == question.article_id and any(p["start"] <= s < p["end"] for s in question.answer_starts):
            return rank
    return None


def score(questions: Sequence[EvalQuestion], answers: Iterable[dict[str, Any]], latencies_ms: Sequence[float] = ()) -> Report:
    """Score answers in the ``quotebot ask --format json`` shape, one per question in the same order."""
    report = Report(latencies_ms=list(latencies_ms))
    for q, a in zip(questions, answers, strict=True):
        passages = a.get("passages") or []
        rank = hit_rank(q, passages)
        report.overall.add(rank, bool(passages))
        report.by_type[question_type(q.text)].add(rank, bool(passages))
    return report


def run(answerer: Answerer, questions: Sequence[EvalQuestion], k: int = 10) -> tuple[list[dict[str, Any]], Report]:
    """Ask every question with ``k`` passages; returns the JSON answers and their scored report."""
    answers = []
    latencies = []
    for q in questions:
        started = time.perf_counter()
        answer = answerer.answer(Question(q.text, platform="eval", k=k))
        latencies.append((time.perf_counter() - started) * 1000)
        answers.append(answer.to_json())
    return answers, score(questions, answers, latencies)


def format_report(report: Report) -> str:
    """The report as a small plain-text table."""
    fig = report.overall.figures()
    lines = [
        f"P@1 {fig['p@1']:.3f}  MRR@10 {fig['mrr@10']:.3f}  R@3 {fig['r@3']:.3f}  "
        f"answered {fig['answered']:.3f}  (n={report.overall.n})",
        f"latency p50 {report.latency(50):.1f} ms  p99 {report.latency(99):.1f} ms",
        "",
        f"{'type':<14}{'n':>6}{'P@1':>8}{'MRR@10':>8}{'R@3':>8}{'answered':>10}",
    ]
    for t, tally in report.by_type.items():
        if not tally.n:
            continue
        f = tally.figures()
        lines.append(f"{t:<14}{tally.n:>6}{f['p@1']:>8.3f}{f['mrr@10']:>8.3f}{f['r@3']:>8.3f}{f['answered']:>10.3f}")
    return "\n".join(lines)


def split(questions: Sequence[EvalQuestion], part: str) -> list[EvalQuestion]:
    """``dev`` (articles 0, 2, 4, ... in order of first appearance), ``test`` (1, 3, 5, ...) or ``all``.

    Splitting by article keeps every question about one article on the same side,
    so weights tuned on ``dev`` are checked on articles they never saw.
    """
    if part == "all":
        return list(questions)
    order: dict[str, int] = {}
    for q in questions:
        order.setdefault(q.article_id, len(order))
    want = 0 if part == "dev" else 1
    return [q for q in questions if order[q.article_id] % 2 == want]
