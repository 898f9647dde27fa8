"""quotebot's bot side: core types, the answering pipeline, renderers, config and platform adapters."""

from .models import Answer, NoAnswer, Passage, Question, Source
from .pipeline import Answerer, AnswerSettings

__all__ = ["Answer", "AnswerSettings", "Answerer", "NoAnswer", "Passage", "Question", "Source"]
