"""The ablation bench's feature groups name real ranking features, each exactly once."""

from __future__ import annotations

from collections import Counter

from bench.ablation import GROUPS
from retrieval.ranking import FEATURES


def test_every_ranking_feature_but_bm25_is_in_exactly_one_ablation_group() -> None:
    named = Counter(name for group in GROUPS.values() for name in group)
    assert set(named) <= set(FEATURES), set(named) - set(FEATURES)
    assert all(count == 1 for count in named.values())
    assert set(FEATURES) - set(named) == {"own"}  # the sentence's own BM25 is the baseline, never ablated
