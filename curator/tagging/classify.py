"""The input of ``curator classify``: one JSON object per line, ``{"id", "title", "text",
"lang"?}``, becomes a :class:`~curator.tagging.tagger.TagInput`.

Pure: the reading loop (line numbers, bad lines) is :func:`curator.ingest.jsonl.read_jsonl`,
joined to this by :func:`curator.core.classify_lines`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curator.errors import InvalidInput
from curator.tagging.tagger import TagInput

__all__ = ["tag_input_from_json"]


def tag_input_from_json(obj: Mapping[str, Any]) -> TagInput:
    """The item one input line describes. ``id`` is required (any JSON value, kept as text);
    ``title`` and ``text`` must be strings, not both blank; a ``lang`` that is not a string is
    ignored. Raises InvalidInput saying which rule the line broke."""
    if "id" not in obj:
        raise InvalidInput('"id" is missing')
    title, text = obj.get("title") or "", obj.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise InvalidInput('"title" and "text" must be strings')
    if not (title.strip() or text.strip()):
        raise InvalidInput('"title" and "text" are both empty')
    lang = obj.get("lang")
    return TagInput(id=str(obj["id"]), title=title, text=text, lang=lang if isinstance(lang, str) else None)
