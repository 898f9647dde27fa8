"""Property tests: every Slack message body stays inside Block Kit's limits and can't ping anyone."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answerer import Answerer
from bot.models import Answer, NoAnswer, Passage, Question, Source
from bot.platforms.slack.payloads import SLACK_BUTTON_TEXT_CHARS, SLACK_ID_CHARS, SLACK_VALUE_CHARS, answer_message, decode_value
from bot.platforms.slack.render import SLACK_MAX_BLOCKS, SLACK_SECTION_CHARS, SLACK_TEXT_CHARS
from bot.platforms.slack.triggers import unformat
from retrieval.index import SentenceIndex
from retrieval.records import Article, LoadReport

ADVERSARIAL = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0VICTIM>",
    "&lt;",
    "&amp;",
    "<#C01|general>",
    "<https://evil.example|click>",
    "*",
    "_",
    "`",
    "~",
    ">",
    "&",
    "\n",
]
words = st.sampled_from(
    ["IBM", "facial", "recognition", "software", "police", "senator", "Congress", "the", "a", "of", "sold", "offers"]
)
pieces = st.one_of(words, st.sampled_from(ADVERSARIAL), st.text(min_size=1, max_size=12))
sentences = st.lists(pieces, min_size=1, max_size=40).map(" ".join)
long_sentences = st.integers(3_000, 8_000).map(lambda n: ("IBM <!channel> & facial " * (n // 24 + 1))[:n])
any_sentence = st.one_of(sentences, long_sentences)
bare_entity = re.compile(r"&(?!amp;|lt;|gt;)")


@st.composite
def passages(draw: st.DrawFn) -> Passage:
    text = draw(any_sentence).strip() or "x"
    spans = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 30)), max_size=8))
    highlights = tuple(sorted((s, min(len(text), s + n)) for s, n in spans if s < len(text)))
    date = draw(st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))))
    title = draw(st.one_of(sentences, st.text(max_size=400)))
    source = Source(draw(st.text(min_size=1, max_size=80)), title, date)
    also = tuple(Source(draw(st.text(min_size=1, max_size=40)), draw(sentences), None) for _ in range(draw(st.integers(0, 3))))
    return Passage(text, source, 0, len(text), 1.0, highlights, also)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    question = draw(st.one_of(sentences, long_sentences, st.text(max_size=2_500)))
    found = draw(st.lists(passages(), min_size=0, max_size=30))
    if not found:
        reason = draw(st.sampled_from(list(NoAnswer)))
        return Answer(question, reason=reason, message=reason.value.format(length=len(question), limit=1000, names=question[:40]))
    return Answer(question, tuple(found), offset=draw(st.integers(0, 50)), has_more=draw(st.booleans()))


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn string in a message body: the fallback, sections and context elements."""
    out = [message["text"]]
    for block in message["blocks"]:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(e["text"] for e in block["elements"])
    return out


def check_message(message: dict[str, Any], answer: Answer) -> None:
    """Block Kit limits, and no Slack control sequence that could mention or link anything."""
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= SLACK_MAX_BLOCKS
    assert len(message["text"]) <= SLACK_TEXT_CHARS
    for text in mrkdwn_texts(message):
        assert len(text) <= SLACK_SECTION_CHARS
        assert "<" not in text and ">" not in text.replace("\n>", "").removeprefix(">"), text
        assert not bare_entity.search(text), text
    for block in blocks:
        assert len(block.get("block_id", "")) <= SLACK_ID_CHARS
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        if block["type"] == "actions":
            assert blocks[-1] is block and 1 <= len(block["elements"]) <= 25
            for button in block["elements"]:
                assert len(button["value"]) <= SLACK_VALUE_CHARS
                assert 1 <= len(button["text"]["text"]) <= SLACK_BUTTON_TEXT_CHARS
                assert len(button["action_id"]) <= SLACK_ID_CHARS
                value = decode_value(button["value"])
                assert value is not None and answer.question.startswith(value.question)
    if answer.answered:
        assert any(b["type"] == "section" for b in blocks)
        assert blocks[-1]["type"] == "actions"
    json.dumps(message)  # the body must serialise as Slack receives it


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.booleans(), st.booleans())
def test_every_answer_message_fits_block_kit_and_escapes_control_characters(answer: Answer, share: bool, header: bool) -> None:
    check_message(answer_message(answer, share=share, question_header=header), answer)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(any_sentence, min_size=1, max_size=6), min_size=1, max_size=5),
    st.one_of(sentences, st.sampled_from(ADVERSARIAL)),
    st.booleans(),
)
def test_answers_from_random_corpora_fit_block_kit(corpus: list[list[str]], question: str, header: bool) -> None:
    articles = []
    for i, paragraph in enumerate(corpus):
        # A content word in every article: a corpus of stopwords only is a retrieval edge case, not a Slack one.
        text = "IBM facial recognition. " + ". ".join(s.replace("\n", " ") for s in paragraph) + "."
        articles.append(Article(f"art-{i}<!here>", f"Title {i} & <@U1>", dt.date(2020, 1, 1 + i), None, text, ((0, len(text)),)))
    answerer = Answerer(SentenceIndex.build(LoadReport(articles=articles)))
    answer = answerer.answer(Question(unformat(question, None), k=10))
    check_message(answer_message(answer, share=True, question_header=header), answer)


def test_unformat_reads_slack_markup_back_into_what_was_typed() -> None:
    text = "<@UQUOTEBOT> did <@U0OTHER|ann> say &lt;IBM&gt; &amp; <#C01|general> <!here> sold <https://x.example/a|this>?"
    assert unformat(text, "UQUOTEBOT") == "did say <IBM> & #general sold this?"
    assert unformat("<https://x.example/a>", None) == "https://x.example/a"


@given(st.text(alphabet=st.sampled_from("<>@!#|&;ltgamp UQ"), max_size=80))
def test_unformat_never_crashes_and_drops_the_bot_mention(text: str) -> None:
    assert "<@UQUOTEBOT>" not in unformat(text + " <@UQUOTEBOT>", "UQUOTEBOT")


def test_thirty_long_passages_are_cut_to_fifty_blocks_with_the_buttons_last() -> None:
    source = Source("a.txt", "T", dt.date(2020, 6, 9))
    text = "IBM <!channel> & facial recognition " * 200
    answer = Answer("IBM?", tuple(Passage(text, source, 0, len(text), 1.0, ((0, 3),)) for _ in range(30)), has_more=True)
    message = answer_message(answer, share=True, question_header=True)
    check_message(message, answer)
    assert len(message["blocks"]) >= SLACK_MAX_BLOCKS - 2
    assert message["blocks"][1]["text"]["text"].startswith(">*IBM* &lt;!channel&gt; &amp; facial")
