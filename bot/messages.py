"""Every short message a person sees from the bot on any platform, in one place.

The platforms format these (Slack mrkdwn, a Discord reply) but never word their own.
"""

from __future__ import annotations

#: Answering, or sending the answer, failed.
SORRY = "Sorry, something went wrong while answering. Please try again in a moment."
#: The bot is shutting down (or restarting) and did not answer.
SHUTTING_DOWN = "I'm restarting and couldn't answer that. Please ask again in a moment."
#: A second vote by the same person on the same answer.
ALREADY_RATED = "You have already rated this answer."
#: A vote on an answer the corpus no longer gives: it is not recorded.
ANSWER_CHANGED = "The articles have changed since this answer, so your vote wasn't recorded. Please ask again."
#: A question in a channel the bot is not allowed to answer in.
NOT_HERE = "I don't answer questions in this channel. Send me a direct message instead."
#: ``/more`` after a question that got no answer.
MORE_AFTER_REFUSAL = "There is nothing more: the last question got no answer. Try asking it another way."
#: A button whose value the bot cannot read (from an older version, or not ours).
EXPIRED_BUTTON = "That button no longer works. Please ask your question again."
#: The emoji shown for each vote.
VOTE_EMOJI = {"up": "👍", "down": "👎"}


def thanks(vote: str) -> str:
    """The private thank-you for a recorded ``"up"`` or ``"down"`` vote."""
    return f"Thanks, your {VOTE_EMOJI[vote]} is recorded."
