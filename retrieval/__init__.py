"""quotebot's retrieval side: corpus loading, sentence segmentation, tokenization and BM25 search.

This package never imports ``bot``.
"""

from .corpus import load_corpus
from .index import Hit, IndexSettings, SentenceIndex, open_index
from .records import Article, LoadReport, Problem
from .tokens import Tokenizer

__all__ = ["Article", "Hit", "IndexSettings", "LoadReport", "Problem", "SentenceIndex", "Tokenizer", "load_corpus", "open_index"]
