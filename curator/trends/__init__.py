"""Topic trends: which topics recent items fall into, how each changed against the previous
period, and which member segments engage with it. Plain numpy (scikit-learn for clustering, loaded
when clustering starts); never imports storage.

- :mod:`.clustering`: item vectors (centred per language) -> topics (a distance cut);
- :mod:`.labels`: distinctive words per topic and language (c-TF-IDF) -> labels;
- :mod:`.change`: rising/falling with a threshold noise does not pass (conditional binomial test);
- :mod:`.topics`: :func:`find_topics`, all of it for one pair of periods;
- :mod:`.block`: the "topics" block for a digest, in German or English;
- :mod:`.summary`: a topic as a JSON record (CLI and API).
"""

from .block import topics_block
from .change import Change, ChangeRule, assess_change, binomial_tail, share_change
from .clustering import cluster_vectors
from .labels import distinctive_words
from .summary import topic_summary
from .topics import TopicParams, engagement_by_segment, find_topics

__all__ = ["Change", "ChangeRule", "TopicParams", "assess_change", "binomial_tail", "cluster_vectors",
           "distinctive_words", "engagement_by_segment", "find_topics", "share_change", "topic_summary",
           "topics_block"]
