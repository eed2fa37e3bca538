"""Search over items in both languages, as pure functions (no database, no model).

Terms:

- **text ranking**: item ids best first by full-text match (the database's FTS5 or PostgreSQL
  full-text search); words match on word boundaries, so "KI" never matches "Kinder".
- **semantic ranking**: item ids best first by cosine similarity between the query vector (the
  encoder's query side) and the stored item vectors after **per-language centring**: each
  language's mean item vector is subtracted from that language's items. e5 vectors carry a strong
  language direction; removing it lets an English query find German articles and the reverse.
- **fusion**: weighted reciprocal-rank fusion of the rankings (``weight / (k + rank)`` summed),
  which needs no calibration between BM25-like scores and cosines; a query whose best semantic
  hit is too weak gets no semantic side (:class:`SearchTuning`, tuned in docs/search.md).

The feature layer (``curator.features.items``) loads candidates and vectors, calls these and
stores nothing.
"""

from .fusion import RRF_K, SearchTuning, fuse_text_and_semantic, reciprocal_rank_fusion, semantic_gate
from .metrics import mean_reciprocal_rank, recall_at
from .semantic import centre_by_language, semantic_ranking
from .text import STOPWORDS, highlight, item_snippet, query_terms, word_match

__all__ = ["RRF_K", "STOPWORDS", "SearchTuning", "centre_by_language", "fuse_text_and_semantic", "highlight",
           "item_snippet", "mean_reciprocal_rank", "query_terms", "recall_at", "reciprocal_rank_fusion",
           "semantic_gate", "semantic_ranking", "word_match"]
