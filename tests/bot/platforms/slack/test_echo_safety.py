"""The question echoed in a shared answer's header cannot ping, reorder the line, or exceed Slack's limits,
counted in UTF-16 code units (the stricter of the counts Slack's own SDKs use; see bot/platforms/slack/text.py)."""

from __future__ import annotations

from bot.answerer import Answerer
from bot.models import Question
from bot.platforms.slack.payloads import answer_message
from bot.platforms.slack.render import SLACK_SECTION_CHARS, SLACK_TEXT_CHARS
from bot.platforms.slack.text import clean_echo, cut_utf16, utf16_len

IBM_QUESTION = "Does IBM still sell facial recognition software?"


def shared(answerer: Answerer, question: str) -> dict[str, object]:
    """The message posted when an answer to ``question`` is shared in a channel."""
    answer = answerer.answer(Question(question, platform="slack"))
    return answer_message(answer, question_header=True)


def header_of(message: dict[str, object]) -> dict[str, object]:
    blocks = message["blocks"]
    assert isinstance(blocks, list)
    return blocks[0]["text"]  # type: ignore[no-any-return]


def test_an_emoji_heavy_question_fits_the_header_in_utf16_units(seed_answerer: Answerer) -> None:
    question = IBM_QUESTION + " " + "🔥" * 1940  # about 1,990 code points, over 3,000 UTF-16 units
    message = shared(seed_answerer, question)
    header = header_of(message)
    assert utf16_len(str(header["text"])) <= SLACK_SECTION_CHARS
    assert utf16_len(str(message["text"])) <= SLACK_TEXT_CHARS
    for block in message["blocks"]:  # type: ignore[attr-defined]
        text = block.get("text", {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        assert utf16_len(text) <= SLACK_SECTION_CHARS


def test_broadcasts_controls_and_bidi_overrides_do_not_reach_the_header(seed_answerer: Answerer) -> None:
    question = "@channel @here @everyone \u202eevil\u202c \x07\x1b[31m " + IBM_QUESTION
    message = shared(seed_answerer, question)
    header = header_of(message)
    text = str(header["text"])
    assert header["verbatim"] is True
    for broadcast in ("@channel", "@here", "@everyone"):
        assert broadcast not in text and broadcast not in str(message["text"])
    assert not any(c in text for c in "\u202e\u202c\x07\x1b")
    assert "evil" in text and "IBM" in text


def test_utf16_helpers() -> None:
    assert utf16_len("a🔥") == 3
    assert cut_utf16("a🔥b", 2) == "a"  # never half a surrogate pair
    assert cut_utf16("a🔥b", 3) == "a🔥"
    assert clean_echo("a\tb\u2066c\u0000") == "a bc"


def test_a_button_value_fits_slacks_limit_in_utf16_units() -> None:
    from bot.platforms.slack.payloads import SLACK_VALUE_CHARS, ButtonValue, decode_value, encode_value

    value = encode_value(ButtonValue("🔥" * 1500 + " IBM?", 3, None))
    assert utf16_len(value) <= SLACK_VALUE_CHARS
    decoded = decode_value(value)
    assert decoded is not None and decoded.question.startswith("🔥")
