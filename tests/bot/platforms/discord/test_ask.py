"""``/ask`` through the fake gateway: the acceptance check, privacy, the defer path and adversarial questions."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.answerer import Answerer, AnswerSettings
from bot.models import Answer, Question
from bot.platforms.discord.render import DISCORD_DESCRIPTION_CHARS, DISCORD_EMBED_TOTAL, DISCORD_TITLE_CHARS
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from tests.bot.platforms.discord.conftest import Start
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture
from tests.bot.platforms.discord.helpers import CALLBACK, ORIGINAL, assert_no_pings, buttons, callbacks_for
from tests.conftest import IBM_QUOTE

IBM_QUESTION = "Does IBM still sell facial recognition software?"


def ask_payload(question: str, interaction_id: str = "1300000000000000100", private: bool | None = None) -> dict:
    payload = fixture("interaction_ask")
    payload["id"] = interaction_id
    payload["token"] = f"token-{interaction_id}"
    payload["data"]["options"] = [{"name": "question", "type": 3, "value": question}]
    if private is not None:
        payload["data"]["options"].append({"name": "private", "type": 5, "value": private})
    return payload


async def test_acceptance_ibm_question_gets_one_callback_in_the_window_quoting_ibm(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake)
    payload = fixture("interaction_ask")
    assert payload["data"]["options"][0]["value"] == IBM_QUESTION
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for_call("POST", CALLBACK)
    await run.client.close()  # nothing more can be sent: now count

    (callback,) = callbacks_for(fake, payload["id"])
    # The fake answers 404 "Unknown interaction" to a callback outside Discord's 3-second window.
    assert callback.status == 200
    assert callback.query == {"with_response": "1"}
    assert callback.body["type"] == 4  # CHANNEL_MESSAGE_WITH_SOURCE: answered directly, not deferred
    (embed,) = callback.body["data"]["embeds"]
    first_block = embed["description"].split("\n\n")[0]
    assert IBM_QUOTE in first_block.replace("**", "") and "2020-06-09" in first_block
    assert callback.body["data"]["allowed_mentions"] == {"parse": []}
    assert not callback.body["data"].get("flags")  # visible to the channel by default
    assert embed["title"] == IBM_QUESTION
    assert not fake.calls("PATCH", ORIGINAL)


async def test_matched_words_are_bold_and_each_quote_has_title_date_source(fake: FakeDiscord, start: Start) -> None:
    await start(fake)
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    blocks = callback.body["data"]["embeds"][0]["description"].split("\n\n")
    assert len(blocks) == 3
    assert "**IBM facial recognition**" in blocks[0] and "**software**" in blocks[0]
    for block in blocks:
        lines = block.split("\n")
        quote = lines[0]
        (cite,) = [line for line in lines if line.startswith("— ")]
        assert all(line.startswith(("> ", "— ", "-# ")) for line in lines)
        assert quote.startswith("> ")
        assert cite.startswith("— **") and " · 2020-06-09 · 000\\_c80df7419379041d.txt" in cite
    assert set(buttons(callback.body["data"])) == {"More results", "👍", "👎"}


async def test_why_option_shows_which_words_matched_each_quote(fake: FakeDiscord, start: Start) -> None:
    await start(fake)
    payload = ask_payload(IBM_QUESTION)
    payload["data"]["options"].append({"name": "why", "type": 5, "value": True})
    await fake.dispatch("INTERACTION_CREATE", payload)
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    blocks = callback.body["data"]["embeds"][0]["description"].split("\n\n")
    assert all("\n-# why: score" in block for block in blocks)
    assert "words \\(BM25\\)\\: IBM" in blocks[0]  # escaped markdown


async def test_private_option_makes_the_answer_ephemeral(fake: FakeDiscord, start: Start) -> None:
    await start(fake)
    payload = fixture("interaction_ask_dm")  # a DM, with private:true
    await fake.dispatch("INTERACTION_CREATE", payload)
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    assert callback.status == 200 and callback.body["type"] == 4
    assert callback.body["data"]["flags"] & 64  # EPHEMERAL
    assert "Tim Scott" in callback.body["data"]["embeds"][0]["description"]


async def test_slow_answer_is_deferred_then_edited_in(fake: FakeDiscord, start: Start) -> None:
    # respond_within=0: the answer is never ready "in time", so the bot must acknowledge first.
    await start(fake, respond_within=0.0)
    payload = ask_payload(IBM_QUESTION, private=True)
    await fake.dispatch("INTERACTION_CREATE", payload)
    (edit,) = await fake.wait_for_call("PATCH", ORIGINAL)
    (callback,) = callbacks_for(fake, payload["id"])
    assert callback.status == 200
    assert callback.body["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE ("thinking…")
    assert callback.body["data"]["flags"] & 64  # the private choice is made when deferring
    assert edit.path.split("/")[-3] == payload["token"]
    assert IBM_QUOTE in edit.body["embeds"][0]["description"].replace("**", "")
    assert edit.body["allowed_mentions"] == {"parse": []}
    assert callback.at <= edit.at


ADVERSARIAL = [
    "@everyone @here does IBM sell facial recognition?",
    "<@1000000000000000042> <@!1000000000000000043> <@&1200000000000000005> IBM facial recognition",
    "**IBM** __facial__ ~~recognition~~ `software` ||spoiler|| [link](https://example.com) # heading",
    "@\u200beveryone IBM @Here software",
]


@pytest.mark.parametrize("question", ADVERSARIAL)
async def test_adversarial_questions_ping_nobody_and_are_escaped(fake: FakeDiscord, start: Start, question: str) -> None:
    await start(fake)
    await fake.dispatch("INTERACTION_CREATE", ask_payload(question))
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    assert_no_pings(fake)
    title = callback.body["data"]["embeds"][0]["title"]
    lowered = title.lower()
    assert "@everyone" not in lowered and "@here" not in lowered
    assert "<@" not in title.replace("\\<@", "")  # every mention is broken by an escaped "<"
    assert "**IBM**" not in title  # markdown in the question shows literally


async def test_empty_and_off_corpus_questions_are_answered_politely(fake: FakeDiscord, start: Start) -> None:
    await start(fake)
    await fake.dispatch("INTERACTION_CREATE", ask_payload("What is the capital of Australia?", "1300000000000000101"))
    await fake.dispatch("INTERACTION_CREATE", ask_payload("the of and", "1300000000000000102"))
    await fake.wait_for_call("POST", CALLBACK, count=2)
    off, stop = callbacks_for(fake, "1300000000000000101")[0], callbacks_for(fake, "1300000000000000102")[0]
    assert off.body["data"]["embeds"][0]["description"] == "No article mentions Australia."
    assert "couldn't find any words" in stop.body["data"]["embeds"][0]["description"]
    for record in (off, stop):
        assert "components" not in record.body["data"] or not record.body["data"]["components"]
    assert_no_pings(fake)


def _long_corpus(folder: Path) -> list[Path]:
    long_title = "Breaking: " + "@everyone **bold** <@123> " * 40
    sentence = "Zebra migration " + "crosses the river *again* and <@&9> again, " * 60 + "says the ranger."
    lines = []
    for i in range(12):
        # the same long sentence in every article: one quote cited with eleven "also" sources
        text = f"{sentence}\n\nZebra herds number {i} thousand this year according to zebra counts by rangers."
        lines.append(
            json.dumps({"id": f"zebra-{i:02d}", "title": long_title + str(i), "date": f"2021-03-{i + 1:02d}", "text": text})
        )
    path = folder / "zebras.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]


async def test_long_answers_stay_within_embed_limits(fake: FakeDiscord, start: Start, tmp_path: Path) -> None:
    index = SentenceIndex.build(load_corpus(_long_corpus(tmp_path)))
    # Exact duplicates only: the near-identical zebra-count sentences stay ten separate quotes, the most text to fit.
    # Word matching alone: the test is about the embed's limits, and the model declines this word salad.
    answerer = Answerer(index, AnswerSettings(passages=10, max_question_chars=3000, duplicate_similarity=1.0, semantic=False))
    question = "zebra migration river rangers " * 80
    assert answerer.answer(Question(question)).answered
    try:
        await start(fake, answerer=answerer)
        await fake.dispatch("INTERACTION_CREATE", ask_payload(question.strip()))
        (callback,) = await fake.wait_for_call("POST", CALLBACK)
    finally:
        answerer.close()
    data = callback.body["data"]
    (embed,) = data["embeds"]
    assert len(embed["title"]) <= DISCORD_TITLE_CHARS
    assert 0 < len(embed["description"]) <= DISCORD_DESCRIPTION_CHARS
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    assert total <= DISCORD_EMBED_TOTAL
    assert len(data.get("content") or "") <= 2000
    blocks = embed["description"].split("\n\n")
    assert len(blocks) == 10 and embed["footer"]["text"].startswith("quotes 1–10")
    assert "and 9 more" in blocks[0]  # eleven syndicated copies: two named, the rest counted
    assert "@everyone" not in embed["description"] and "<@" not in embed["description"].replace("\\<@", "")
    assert_no_pings(fake)


class FailingAnswerer(Answerer):
    """An answerer whose retrieval breaks (a corrupt index, a full disk): the failure the adapter must survive."""

    def answer(self, question: Question) -> Answer:
        raise RuntimeError("index file vanished")


async def test_a_failing_answerer_gets_an_apology_not_silence(fake: FakeDiscord, start: Start, seed_index: SentenceIndex) -> None:
    answerer = FailingAnswerer(seed_index)
    try:
        run = await start(fake, answerer=answerer)
        await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
        await fake.dispatch("MESSAGE_CREATE", fixture("message_mention"))
        (callback,) = await fake.wait_for_call("POST", CALLBACK)
        (reply,) = await fake.wait_for_call("POST", r"/channels/\d+/messages")
    finally:
        answerer.close()
    assert callback.status == 200 and callback.body["data"]["flags"] & 64  # only the asker sees the apology
    assert callback.body["data"]["content"].startswith("Sorry, something went wrong")
    assert reply.body["content"].startswith("Sorry, something went wrong")
    assert "index file vanished" not in callback.body["data"]["content"]
    assert not run.client.is_closed()
    assert_no_pings(fake)


async def test_a_failure_after_deferring_is_reported_by_a_webhook_follow_up(
    fake: FakeDiscord, start: Start, seed_index: SentenceIndex
) -> None:
    answerer = FailingAnswerer(seed_index)
    try:
        await start(fake, answerer=answerer, respond_within=0.0)
        payload = fixture("interaction_ask")
        await fake.dispatch("INTERACTION_CREATE", payload)
        (follow_up,) = await fake.wait_for_call("POST", r"/webhooks/\d+/[^/]+")
    finally:
        answerer.close()
    (callback,) = callbacks_for(fake, payload["id"])
    assert callback.body["type"] == 5
    assert follow_up.path == f"/api/v10/webhooks/{payload['application_id']}/{payload['token']}"
    assert follow_up.body["content"].startswith("Sorry") and follow_up.body["flags"] & 64
    assert_no_pings(fake)


@pytest.mark.parametrize("log_questions", [True, False])
async def test_logs_never_hold_the_token_and_hold_questions_only_if_allowed(
    fake: FakeDiscord, start: Start, caplog: pytest.LogCaptureFixture, log_questions: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    run = await start(fake, log_questions=log_questions)
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
    await fake.wait_for_call("POST", CALLBACK)
    await run.client.close()
    assert fake.token not in caplog.text
    assert "discord /ask from 1000000000000000042" in caplog.text
    assert (IBM_QUESTION in caplog.text) is log_questions
