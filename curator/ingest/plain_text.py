"""The one way from plain text to a :class:`~curator.types.ParsedItem`.

Feeds arrive as markup and go through :mod:`curator.ingest.parse`; everything curator receives
as plain text (an article archive line, an approved member post) comes through
:func:`item_from_text`, so cleaning, length limits, the HTML form, the summary, the language and
the content hash are decided in one place. The HTML form is built exactly as for a feed entry
that only has plain text: :func:`~curator.ingest.sanitise.text_to_html`, then the allow-list
sanitiser.

Pure: no I/O, no clock (dates are passed in).
"""

from __future__ import annotations

from datetime import datetime

from curator.ingest.lang import detect_language
from curator.ingest.normalise import canonical_url, clean_text, content_hash, shorten_text, web_link
from curator.ingest.parse import MAX_TITLE_CHARS, SUMMARY_CHARS
from curator.ingest.sanitise import sanitise_html, text_to_html
from curator.types import ParsedItem

__all__ = ["MAX_TEXT_CHARS", "item_from_text"]

MAX_TEXT_CHARS = 200_000
"""Plain text beyond this is cut: an article, not a book."""


def item_from_text(*, key: str, title: str, text: str, link: str | None = None, author: str | None = None,
                   lang: str | None = None, published: datetime | None = None,
                   updated: datetime | None = None) -> ParsedItem:
    """A parsed item from plain text.

    ``title`` and ``text`` are cleaned (:func:`~curator.ingest.normalise.clean_text`: control
    characters, lone surrogates and bidi overrides removed, NFC) and cut to
    :data:`~curator.ingest.parse.MAX_TITLE_CHARS` and :data:`MAX_TEXT_CHARS`. Blank-line
    separated blocks of ``text`` become paragraphs of ``content_html`` (escaped: markup in the
    text is shown, never run). ``link`` is kept when it is a web link
    (:func:`~curator.ingest.normalise.web_link`, the rule feed entries follow) and its canonical
    form computed; both are None for a blank link or one that is not a safe http(s) URL
    (``javascript:``, ``data:``...). ``lang`` None (or empty) means "detect it
    from title and text"; detection may still give None for very short texts. ``published``
    None means the source gave no date (storage then uses the time it first saw the item).
    """
    title = clean_text(title)[:MAX_TITLE_CHARS]
    text = clean_text(text)[:MAX_TEXT_CHARS]
    link = web_link(link)
    return ParsedItem(
        key=key,
        title=title,
        url=link,
        canonical_url=canonical_url(link),
        summary=shorten_text(text, SUMMARY_CHARS),
        content_html=sanitise_html(text_to_html(text)),
        text=text,
        author=author or None,
        published=published,
        updated=updated,
        lang=lang or detect_language(f"{title}\n{text}"),
        content_hash=content_hash(title, text),
    )
