"""The table of measured steps for docs/quality.md: each group of ranking features alone, all but it, and all.

    python -m bench.tune_ranking            # computes and caches the features first
    python -m bench.ablation [--k1 1.2 --b 0.75]

Figures are P@1 / MRR@10 / R@3 on the SQuAD dev split (even articles) and test split (odd articles),
with ties counted against (a lower bound on what ``quotebot eval`` reports, whose tie order is arbitrary).
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

from bench.tune_ranking import Data, metrics
from retrieval.ranking import FEATURES, WEIGHTS

GROUPS = {
    "paragraph context": ("paragraph", "para_rank", "log_paragraph", "local_para"),
    "article context": ("article", "article_tf"),
    "coverage + window": ("coverage", "window", "neighbour"),
    "article-local IDF": ("local", "local_coverage"),
    "proximity (bigrams)": ("proximity",),
    "answer-type cues": ("answer_type",),
    "BM25 rank / log": ("own_rank", "log_own"),
    "question phrasing": ("phrase", "window_phrase"),
    "continuation": ("prev_only", "next_only", "prev_phrase_only", "lean_prev_only"),
    "related words": ("related",),
}
#: The baseline in the same normalised units as the features: own and paragraph BM25 over the IDF mass.
BASE = {"own": 1.0, "paragraph": 0.8}
#: Scales tried for a group added alone (the final weights were tuned with every group present).
SCALES = (0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)


def weights(names: set[str], base: bool = True, scale: float = 1.0) -> list[float]:
    """Final weights x ``scale`` for ``names``; every other feature 0 (with ``base``, BM25 + 0.8 x paragraph BM25 added)."""
    return [(WEIGHTS[f] * scale if f in names else 0.0) + (BASE.get(f, 0.0) if base else 0.0) for f in FEATURES]


def alone(dev: Data, group: set[str]) -> list[float]:
    """The baseline plus ``group`` at the scale (of its final weights) that does best on dev MRR@10."""
    return max((weights(group, scale=s) for s in SCALES), key=lambda w: metrics(dev, w)[1])


def row(name: str, dev: Data, test: Data, w: list[float]) -> str:
    """One markdown table row: dev and test figures of weights ``w``."""
    d, t = metrics(dev, w), metrics(test, w)
    return f"| {name} | " + " / ".join(f"{x:.3f}" for x in d) + " | " + " / ".join(f"{x:.3f}" for x in t) + " |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k1", type=float, default=1.2)
    ap.add_argument("--b", type=float, default=0.75)
    ap.add_argument("--no-frame", action="store_true")
    args = ap.parse_args()
    cache = Path(f"/tmp/tune-{args.k1}-{args.b}-200-{not args.no_frame}-None-None.pickle")
    dev, test = pickle.loads(cache.read_bytes())
    print("| step | dev P@1 / MRR@10 / R@3 | test P@1 / MRR@10 / R@3 |")
    print("| --- | --- | --- |")
    print(row("BM25 + 0.8 x paragraph BM25 (baseline)", dev, test, weights(set())))
    for name, group in GROUPS.items():
        print(row(f"baseline + {name} alone", dev, test, alone(dev, set(group))))
    everything = set(FEATURES)
    for name, group in GROUPS.items():
        print(row(f"all but {name}", dev, test, weights(everything - set(group), base=False)))
    print(row("all (default weights)", dev, test, weights(everything, base=False)))


if __name__ == "__main__":
    main()
