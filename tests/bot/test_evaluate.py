"""The evaluation harness: its scoring matches ``score.py``, its CLI prints every figure, and it splits by article."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.evaluate import EvalQuestion, Tally, hit_rank, load_questions, score, split
from tests.conftest import SQUAD

SCORE_PY = SQUAD.parent / "score.py"
#: Two of the smallest SQuAD dev articles (Sky (United Kingdom), Amazon rainforest): quick to index.
SAMPLE_ARTICLES = ("squad-dev-08", "squad-dev-16")

needs_squad = pytest.mark.skipif(not (SQUAD / "questions.jsonl").exists(), reason="SQuAD dev set not present")


@pytest.fixture(scope="module")
def squad_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A two-article corpus and 40 of its questions (every 5th), written as JSON lines."""
    folder = tmp_path_factory.mktemp("squad-sample")
    article_lines = (SQUAD / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    question_lines = (SQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [line for line in article_lines if json.loads(line)["id"] in SAMPLE_ARTICLES]
    questions = [line for line in question_lines if json.loads(line)["article_id"] in SAMPLE_ARTICLES][::5][:40]
    (folder / "articles.jsonl").write_text("\n".join(articles) + "\n", encoding="utf-8")
    (folder / "questions.jsonl").write_text("\n".join(questions) + "\n", encoding="utf-8")
    return folder / "articles.jsonl", folder / "questions.jsonl"


def _score_py(questions: Path, answers: Path) -> dict[str, float]:
    command = [sys.executable, str(SCORE_PY), str(questions), str(answers)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    words = out.split()
    return {"p@1": float(words[1]), "mrr@10": float(words[3]), "r@3": float(words[5]), "no-passage": float(words[7])}


@needs_squad
def test_eval_figures_agree_with_score_py_on_ask_json_output(
    squad_sample: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, questions_file = squad_sample
    questions = [json.loads(line)["question"] for line in questions_file.read_text(encoding="utf-8").splitlines()]
    monkeypatch.setattr(sys, "stdin", _Lines(questions))
    assert main(["ask", "--corpus", str(corpus), "--format", "json", "-k", "10"]) == 0
    answers = tmp_path / "answers.jsonl"
    answers.write_text(capsys.readouterr().out, encoding="utf-8")
    reference = _score_py(questions_file, answers)

    assert main(["eval", str(questions_file), "--corpus", str(corpus), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    for key in ("p@1", "mrr@10", "r@3"):
        assert round(ours[key], 3) == reference[key], key
    assert round(1 - ours["answered"], 3) == reference["no-passage"]
    assert ours["n"] == len(questions)
    assert ours["p@1"] > 0.5  # a real run, not an empty one
    assert set(ours["latency_ms"]) == {"p50", "p99"}
    assert sum(t["n"] for t in ours["by_type"].values()) == len(questions)


@needs_squad
def test_eval_plain_output_lists_figures_and_question_types(
    squad_sample: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, questions_file = squad_sample
    assert main(["eval", str(questions_file), "--corpus", str(corpus), "--limit", "10"]) == 0
    out = capsys.readouterr().out
    for label in ("P@1", "MRR@10", "R@3", "answered", "latency p50", "p99", "(n=10)", "type"):
        assert label in out


def test_eval_reports_an_unreadable_questions_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "no article id"}\n', encoding="utf-8")
    assert main(["eval", str(bad), "--corpus", "seeds"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_hit_rank_needs_the_right_article_and_an_answer_start_inside_the_span() -> None:
    q = EvalQuestion("1", "Who?", "a", (50,))
    passages = [
        {"source": "b", "start": 40, "end": 60},  # right span, wrong article
        {"source": "a", "start": 0, "end": 50},  # ends exactly at the answer: [start, end) excludes it
        {"source": "a", "start": 50, "end": 80},
    ]
    assert hit_rank(q, passages) == 2
    assert hit_rank(q, passages[:2]) is None


def test_score_sums_ranks_as_score_py_does() -> None:
    qs = [EvalQuestion(str(i), "What is it?", "a", (10,)) for i in range(4)]
    good = {"source": "a", "start": 0, "end": 20}
    bad = {"source": "a", "start": 30, "end": 40}
    answers = [{"passages": [good]}, {"passages": [bad, good]}, {"passages": [bad, bad, bad, good]}, {"passages": []}]
    figures = score(qs, answers).overall.figures()
    assert figures["p@1"] == 0.25
    assert figures["r@3"] == 0.5
    assert figures["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 4) / 4)
    assert figures["answered"] == 0.75


def test_tally_of_nothing_is_zero_not_an_error() -> None:
    assert Tally().figures()["p@1"] == 0


def test_split_keeps_each_article_on_one_side(tmp_path: Path) -> None:
    answers = [{"text": "x", "start": 0}]
    rows = [{"id": str(i), "question": "q", "article_id": f"art{i % 3}", "answers": answers} for i in range(9)]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    questions = load_questions(path)
    dev, test = split(questions, "dev"), split(questions, "test")
    assert {q.article_id for q in dev} == {"art0", "art2"}
    assert {q.article_id for q in test} == {"art1"}
    assert len(dev) + len(test) == len(split(questions, "all")) == 9


class _Lines:
    """A stand-in standard input that yields the given lines."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = [line + "\n" for line in lines]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._lines)


def test_eval_on_the_seed_article_writes_answers_and_finds_the_ibm_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import SEED_FILE, SEEDS

    text = (SEEDS / SEED_FILE).read_text(encoding="utf-8")
    rows = [
        {"id": "ibm", "question": "Does IBM still sell facial recognition software?", "article_id": SEED_FILE,
         "answers": [{"text": "no longer offers", "start": text.index("no longer offers")}]},
        {"id": "sen", "question": "Which senator sponsored the legislation Krishna supports?", "article_id": SEED_FILE,
         "answers": [{"text": "Tim Scott", "start": text.index("Tim Scott")}]},
    ]  # fmt: skip
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    answers = tmp_path / "answers.jsonl"
    assert main(["eval", str(questions), "--corpus", str(SEEDS), "--json", "--answers", str(answers)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["p@1"] == 1.0 and figures["answered"] == 1.0
    written = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines()]
    assert [a["question"] for a in written] == [r["question"] for r in rows]
    assert set(figures["by_type"]) == {"which", "other"}
