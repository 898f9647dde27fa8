"""quotebot's bot side: core types, the answering pipeline, renderers, config and platform adapters."""

from .answerer import Answerer, AnswerSettings
from .models import Answer, NoAnswer, Passage, Question, Source

__all__ = ["Answer", "AnswerSettings", "Answerer", "NoAnswer", "Passage", "Question", "Source"]
