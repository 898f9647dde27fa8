"""Choose the semantic blend and the "nothing found" cut from the evidence ``bench/semantic_features.py`` stored.

    python -m bench.semantic_calibrate FEATURES.pkl [--grid]

Prints, for the default :class:`retrieval.semantic.Blend` (and with ``--grid``, the best settings of a grid), per
corpus and kind: P@1 / MRR@10 / R@3 among the stored candidates (answerable questions) and the share answered or
declined. The cut is chosen on three corpora at once (seed: 14 sentences, Wikinews: 313 articles, SQuAD: 10,241
sentences) so that it transfers across corpus sizes: at least ``--min-answered`` of Wikinews, ``--min-squad`` of
SQuAD and ``--min-seed`` (all) of the seed's answerable questions answered, then the most unanswerable questions
declined (each kind up to its target). The order is chosen first: the semantic weight and the candidates read that
lift Wikinews P@1 + R@3 most while SQuAD's P@1, MRR@10 and R@3 stay at least 0.005 above the lexical order's
(``--keep-order``: search the cut for the default order instead).
"""

from __future__ import annotations

import argparse
import itertools
from collections import defaultdict
from dataclasses import replace

import numpy as np

from bench.semantic_features import Row, load_rows
from retrieval.semantic import Blend, declines, order


def evaluate(
    rows: list[Row], blend: Blend, rerank: bool = True, decline: str = "both", min_coverage: float = 0.32
) -> dict[tuple[str, str], dict[str, float]]:
    """Figures per (corpus, kind) under ``blend``: re-ordered by it (``rerank``) or in lexical order, "nothing found"
    decided by lexical and semantic evidence (``decline="both"``) or by lexical coverage alone (``"lexical"``)."""
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        key = (r.corpus, r.kind)
        s = sums[key]
        s["n"] += 1
        rank = r.gold if r.gold >= 0 else -1
        if r.lexical.size == 0:
            answered = False
        else:
            head = min(blend.top, r.lexical.size)
            if decline == "both":
                answered = not declines(r.coverage, float(r.semantic[:head].max()), r.unknown, blend)
            else:
                answered = r.coverage >= min_coverage
            if rerank and rank >= 0:
                positions = list(order(r.lexical[:head], r.semantic[:head], blend.weight(r.coverage))) + list(range(head, r.lexical.size))
                rank = positions.index(r.gold)
        s["answered"] += answered
        if r.gold != -2:
            s["answerable"] += 1
            if answered and 0 <= rank < 10:
                s["p1"] += rank == 0
                s["r3"] += rank < 3
                s["mrr"] += 1 / (rank + 1)
    return {k: dict(v) for k, v in sums.items()}


def share(fig: dict[tuple[str, str], dict[str, float]], corpus: str, kinds: tuple[str, ...], what: str) -> float:
    """``what`` ("answered", "p1", ...) summed over ``kinds`` of ``corpus`` per question."""
    n = sum(fig.get((corpus, k), {}).get("n", 0) for k in kinds)
    return sum(fig.get((corpus, k), {}).get(what, 0) for k in kinds) / max(n, 1)


UNANSWERABLE = ("off-topic", "near-miss", "unanswered-in-article")


def summary(fig: dict[tuple[str, str], dict[str, float]]) -> str:
    """One line per corpus."""
    out = []
    out.append(
        "wikinews  P@1 {:.3f} MRR {:.3f} R@3 {:.3f} answered {:.3f} | declined off-topic {:.3f} near-miss {:.3f} "
        "unanswered-in-article {:.3f} (hard two {:.3f})".format(
            share(fig, "wikinews", ("on-topic",), "p1"),
            share(fig, "wikinews", ("on-topic",), "mrr"),
            share(fig, "wikinews", ("on-topic",), "r3"),
            share(fig, "wikinews", ("on-topic",), "answered"),
            1 - share(fig, "wikinews", ("off-topic",), "answered"),
            1 - share(fig, "wikinews", ("near-miss",), "answered"),
            1 - share(fig, "wikinews", ("unanswered-in-article",), "answered"),
            1 - share(fig, "wikinews", ("near-miss", "unanswered-in-article"), "answered"),
        )
    )
    for corpus in ("squad", "seed"):
        out.append(
            "{:<9} P@1 {:.3f} MRR {:.3f} R@3 {:.3f} answered {:.3f} | off-corpus declined {:.3f}, held-out {:.3f}".format(
                corpus,
                share(fig, corpus, ("on-topic",), "p1"),
                share(fig, corpus, ("on-topic",), "mrr"),
                share(fig, corpus, ("on-topic",), "r3"),
                share(fig, corpus, ("on-topic",), "answered"),
                1 - share(fig, corpus, ("off-corpus",), "answered"),
                1 - share(fig, corpus, ("off-corpus-heldout",), "answered"),
            )
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("features")
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--min-answered", type=float, default=0.96)
    ap.add_argument("--min-squad", type=float, default=0.98)
    ap.add_argument("--min-seed", type=float, default=1.0)
    ap.add_argument("--keep-order", action="store_true", help="search the cut for the default order, not the best one")
    args = ap.parse_args()
    rows = load_rows(args.features)
    print("lexical only (min_coverage 0.32):")
    print(summary(evaluate(rows, Blend(), rerank=False, decline="lexical")))
    print("\nsemantic re-ordering only ('nothing found' from min_coverage 0.32):")
    print(summary(evaluate(rows, Blend(), rerank=True, decline="lexical")))
    print("\nsemantic 'nothing found' only (lexical order):")
    print(summary(evaluate(rows, Blend(), rerank=False)))
    print("\nboth, default Blend:", Blend())
    print(summary(evaluate(rows, Blend())))
    if not args.grid:
        return
    lexical = evaluate(rows, Blend(), rerank=False, decline="lexical")
    floor = {w: share(lexical, "squad", ("on-topic",), w) for w in ("p1", "mrr", "r3")}
    best_order: tuple[float, Blend] | None = None
    for base, slope, top in itertools.product(np.arange(0.6, 1.61, 0.1), (0.0, 0.5, 1.0, 1.5), (8, 12, 16, 20)):
        blend = replace(Blend(), weight_base=float(base), weight_slope=slope, top=top)
        fig = evaluate(rows, blend, decline="lexical")
        if any(share(fig, "squad", ("on-topic",), w) < floor[w] + 0.005 for w in floor):
            continue
        gain = share(fig, "wikinews", ("on-topic",), "p1") + share(fig, "wikinews", ("on-topic",), "r3")
        if best_order is None or gain > best_order[0] + 1e-9:
            best_order = (gain, blend)
    if best_order is None:
        return
    print("\nbest order (Wikinews P@1 + R@3, SQuAD not below lexical + 0.005):", best_order[1])
    if args.keep_order:
        best_order = (0.0, Blend())
    best = None
    grid = itertools.product(np.arange(0.2, 0.52, 0.02), (0.25, 0.5, 0.75, 1.0, 1.5, 2.0), (0.0, 0.45, 0.5, 0.55, 0.6, 0.7))
    for cut, slope, unknown in grid:
        blend = replace(best_order[1], floor=float(cut), slope=slope, unknown_name_floor=unknown)
        fig = evaluate(rows, blend)
        if share(fig, "wikinews", ("on-topic",), "answered") < args.min_answered:
            continue
        if share(fig, "squad", ("on-topic",), "answered") < args.min_squad:
            continue
        if share(fig, "seed", ("on-topic",), "answered") < args.min_seed:
            continue
        score = (
            min(0.95, 1 - share(fig, "wikinews", ("off-topic",), "answered"))
            + min(0.3, 1 - share(fig, "wikinews", ("near-miss", "unanswered-in-article"), "answered"))
            + min(0.6, 1 - share(fig, "squad", ("off-corpus",), "answered"))
            + min(0.95, 1 - share(fig, "seed", ("off-corpus",), "answered"))
            + share(fig, "seed", ("on-topic",), "answered")
        )
        if best is None or score > best[0] + 1e-9:
            best = (score, blend)
    if best is not None:
        print("\nbest cut:", best[1])
        print(summary(evaluate(rows, best[1])))


if __name__ == "__main__":
    main()
