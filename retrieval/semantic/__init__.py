"""Semantic evidence: a small sentence-embedding model that reads a question and its best candidate sentences.

Used (``[answer] semantic = true``) to re-order the lexical ranking's best candidates and, with lexical coverage,
to decide "nothing found". Every quote is still a corpus sentence, verbatim; nothing is generated. The model
files come from a registry package (``quotebot[semantic]``); :class:`ModelMissing` says how to install it.
"""

from .evidence import Blend, blend, declines, names, order, unknown_names
from .model import Encoder, ModelMissing
from .scorer import SemanticScorer, candidate_text

__all__ = [
    "Blend",
    "Encoder",
    "ModelMissing",
    "SemanticScorer",
    "blend",
    "candidate_text",
    "declines",
    "names",
    "order",
    "unknown_names",
]
