"""Compare sentence segmenters for accuracy (a gold set of news-style edge cases) and speed (squad-dev paragraphs).

    .venv/bin/python bench/segmenters.py

Accuracy is the share of gold texts split exactly right; speed is sentences per second,
and as a ratio to blingfire measured in the same run.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.paths import squad_dir  # noqa: E402
from retrieval.segment import split_paragraph  # noqa: E402

GOLD = ROOT / "bench" / "segmentation_gold.jsonl"


def quotebot(text: str) -> list[str]:
    return [text[s:e] for s, e in split_paragraph(text, 0, len(text))]


def blingfire_raw(text: str) -> list[str]:
    import blingfire

    return [text[s:e].strip() for s, e in blingfire.text_to_sentences_and_offsets(text)[1]]


def segmenters() -> dict[str, Callable[[str], list[str]]]:
    out: dict[str, Callable[[str], list[str]]] = {"quotebot (blingfire + repair)": quotebot, "blingfire": blingfire_raw}
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        out["pysbd"] = lambda t: [s.strip() for s in seg.segment(t) if s.strip()]
    except ImportError:
        pass
    try:
        import syntok.segmenter as sseg

        def syntok_split(text: str) -> list[str]:
            return [
                text[sent[0].offset : sent[-1].offset + len(sent[-1].value)]
                for para in sseg.analyze(text)
                for sent in para
            ]

        out["syntok"] = syntok_split
    except ImportError:
        pass
    return out


def main() -> None:
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = (squad_dir() / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    paragraphs = [p for line in lines for p in json.loads(line)["text"].split("\n\n") if p.strip()]
    paragraphs = paragraphs[:800]
    rows = []
    for name, split in segmenters().items():
        correct = sum(split(g["text"]) == g["sentences"] for g in gold)
        started = time.perf_counter()
        count = sum(len(split(p)) for p in paragraphs)
        rate = count / (time.perf_counter() - started)
        rows.append((name, correct, rate))
    reference = next(rate for name, _, rate in rows if name == "blingfire")
    print(f"{'segmenter':32} {'gold exact':>10} {'sentences/s':>12} {'vs blingfire':>12}")
    for name, correct, rate in rows:
        print(f"{name:32} {correct:>4}/{len(gold):<5} {rate:>12,.0f} {rate / reference:>11.2f}x")


if __name__ == "__main__":
    main()
