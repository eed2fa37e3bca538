"""Normalisation of feed values: URLs, identity keys, hashes, dates and text.

Everything here is pure (no I/O, no clock): time is passed in.

URL decision (RELIABILITY D04, D05):

* :func:`canonical_url` returns a *usable* URL: relative references resolved,
  host lower-cased, default port and fragment dropped, tracking parameters
  removed. It keeps the original scheme and any ``www.`` prefix, because
  rewriting ``http`` to ``https`` or dropping ``www.`` can produce a link that
  does not work.
* :func:`url_identity` is the *comparison* form: the canonical URL without its
  scheme and without a leading ``www.`` (``example.com/a?b=1``). Use it, not
  the canonical URL, whenever two URLs must be recognised as the same article
  (item keys, cross-feed dedupe), so that a GUID drifting from ``http`` to
  ``https`` or gaining ``www.`` keeps its identity.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import idna

__all__ = [
    "TRACKING_PARAMS",
    "ascii_host",
    "canonical_url",
    "web_link",
    "url_identity",
    "item_key",
    "content_hash",
    "clean_text",
    "collapse_whitespace",
    "clamp_date",
    "FUTURE_TOLERANCE",
    "shorten_text",
    "slugify",
]

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "wt_mc",
        "wt.mc_id",
        "__s",
        "_ga",
        "_gl",
        "s_cid",
        "cmpid",
        "ncid",
        "sr_share",
        "rb_clickid",
        "ss_source",
        "ss_campaign_id",
    }
)
"""Query parameters (compared lower-case) that only track the reader. ``utm_*`` is matched by prefix."""

_TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_")

_DEFAULT_PORTS = {"http": 80, "https": 443}

FUTURE_TOLERANCE = timedelta(days=1)
"""How far into the future a date may lie before it is clamped to ``now`` (P11)."""

# Control characters other than tab and newline, plus DEL and C1 controls.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone (unpaired) surrogates cannot be encoded as UTF-8; PostgreSQL rejects them.
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# Bidirectional overrides/isolates can disguise text (P03); they never carry meaning in a title.
_BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_WS_RE = re.compile(r"\s+")


def clean_text(s: str) -> str:
    """Make a string safe to store and show.

    Removes NUL and other control characters except ``\\n`` and ``\\t`` (``\\r\\n``
    and ``\\r`` become ``\\n``), lone surrogates, bidirectional override/isolate
    characters (U+202A-U+202E, U+2066-U+2069), and normalises to NFC.
    Whitespace is otherwise left alone; see :func:`collapse_whitespace`.
    """
    if not s:
        return ""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _SURROGATE_RE.sub("", s)
    s = _CONTROL_RE.sub("", s)
    s = _BIDI_RE.sub("", s)
    return unicodedata.normalize("NFC", s)


def collapse_whitespace(s: str) -> str:
    """:func:`clean_text`, then every run of whitespace becomes one space; stripped."""
    return _WS_RE.sub(" ", clean_text(s)).strip()


# RFC 3986 reg-name characters (and ":" of an IPv6 literal, whose brackets urlsplit removed).
_ASCII_HOST_RE = re.compile(r"[a-z0-9._~!$&'()*+,;=%:-]+")


def ascii_host(host: str) -> str | None:
    """The ASCII form of a host name, or None when it is not a usable one.

    ASCII names (and IP literals) are lower-cased and must consist of the characters RFC 3986
    allows in a host; a name with non-ASCII characters is mapped and encoded with UTS 46 / IDNA
    2008 (``Straße.de`` -> ``xn--strae-oqa.de``, ``ＢÜCHER.de`` -> ``xn--bcher-kva.de``). A
    trailing dot is dropped. None for an empty name and for one IDNA 2008 refuses.
    """
    name = host.strip().rstrip(".")
    if not name:
        return None
    if name.isascii():
        name = name.lower()
        return name if _ASCII_HOST_RE.fullmatch(name) else None
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None


def _absolute(url: str | None, base: str | None) -> str | None:
    """``url`` cleaned as a browser reads it and resolved against ``base``; None when blank.

    Control characters go (:func:`clean_text`), so do embedded tabs and newlines (browsers
    ignore them; they hide ``java\nscript:``); a protocol-relative URL gets ``https:``.
    """
    if url is None:
        return None
    url = re.sub(r"[\t\n]", "", clean_text(url).strip())
    if not url:
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    if url.startswith("//"):
        url = "https:" + url
    return url


def web_link(url: str | None, base: str | None = None) -> str | None:
    """The link to store and show for an item, or None when ``url`` is not a safe web link.

    The one rule for links, whichever way an item came in (feed entry, archive import, member
    post): control characters and spaces are removed anywhere (``java script:`` tricks; feed
    entry keys have always been made from links read this way), the rest is resolved against
    ``base`` (``//host/x`` gets ``https:``) and must then be an absolute ``http``/``https`` URL
    with a valid host (:func:`ascii_host`) and no user name or password
    (``https://bank.example@evil.example/`` misleads readers). The link is returned as published,
    not canonicalised. None for None/blank input, ``javascript:``, ``data:``, ``mailto:``, other
    schemes and URLs that stay relative.
    """
    if url is None:
        return None
    absolute = _absolute(re.sub(r"[\x00-\x20]", "", clean_text(url)), base)
    if absolute is None or canonical_url(absolute) is None:
        return None
    try:
        if urlsplit(absolute).username is not None:
            return None
    except ValueError:
        return None
    return absolute


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The canonical, still usable form of an http(s) URL, or None.

    ``url`` is resolved against ``base`` when relative; a protocol-relative URL
    (``//host/x``) without a usable base gets ``https:``. The host is
    lower-cased (and IDNA 2008-encoded, :func:`ascii_host`), default ports, user info, the fragment and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ...; see
    :data:`TRACKING_PARAMS`) are removed, an empty path becomes ``/``. The
    scheme and ``www.`` are kept (see the module docstring).

    Returns None for None/blank input, for a URL that stays relative, for a host
    name that is not valid (see :func:`ascii_host`), and for any scheme other
    than http/https (``javascript:``, ``data:``, ``mailto:``...).
    """
    url = _absolute(url, base)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    host = ascii_host(parts.hostname or "")
    if host is None:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    # Re-quote characters that must not appear raw (spaces, non-ASCII); keep existing escapes.
    path = quote(path, safe="/%:@!$&'()*+,;=-._~")
    query = ""
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, quote_via=quote, safe="/:@!$'()*,;-._~")
        else:
            query = parts.query  # untouched: re-encoding could change the meaning for odd servers
    return urlunsplit((scheme, netloc, path, query, ""))


def url_identity(url: str | None, base: str | None = None) -> str | None:
    """The form of a URL used to decide "same article": canonical, without scheme and ``www.``.

    ``http://www.Example.com/a?utm_source=x#top`` and ``https://example.com/a``
    both give ``example.com/a``. Returns None where :func:`canonical_url` does.
    """
    canonical = canonical_url(url, base)
    if canonical is None:
        return None
    rest = canonical.split("://", 1)[1]
    if rest.startswith("www."):
        rest = rest[4:]
    return rest


_MAX_RAW_KEY = 200


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _key_identity(url: str) -> str | None:
    """url_identity plus the fragment, unless the fragment looks like tracking (``#xtor=RSS-1``).

    Inside one feed, ``page#entry1`` and ``page#entry2`` are different entries
    (old blogs use anchors as GUIDs), so keys keep the fragment.
    """
    identity = url_identity(url)
    if identity is None:
        return None
    fragment = urlsplit(clean_text(url).strip()).fragment
    if fragment and "=" not in fragment:
        return identity + "#" + fragment
    return identity


def item_key(
    guid: str | None,
    link: str | None,
    title: str | None,
    published: datetime | None,
    *,
    text: str | None = None,
) -> str:
    """A stable identity for an entry within one source.

    In order of preference (RELIABILITY D03, D04):

    1. the GUID: ``"url:<identity>"`` when the GUID is an http(s) URL (so
       http/https and ``www.`` drift keep the key; see :func:`url_identity`; a
       fragment is kept unless it contains ``=``), else ``"guid:<guid>"``
       (``"guid#<sha256>"`` when longer than 200 characters);
    2. the link: ``"url:<identity>"`` as for a URL GUID;
    3. ``"hash:<sha256>"`` of the whitespace-collapsed, case-folded title and
       the date as given by the feed (pass the *unclamped* date, or None: a
       fallback to the fetch time would change on every refetch). ``text`` (the
       entry's plain text) is only mixed in when the title is empty, so that
       title-less entries do not all collapse into one.

    Deterministic: the same inputs always give the same key.
    """
    guid_clean = collapse_whitespace(guid) if guid else ""
    if guid_clean:
        if re.match(r"(?i)^https?://", guid_clean):
            identity = _key_identity(guid_clean)
            if identity:
                return _bounded("url:", identity)
        return _bounded("guid:", guid_clean)
    identity = _key_identity(link) if link else None
    if identity:
        return _bounded("url:", identity)
    stamp = published.astimezone(UTC).isoformat() if published else ""
    title_part = collapse_whitespace(title or "").casefold()
    text_part = "" if title_part else collapse_whitespace(text or "")
    return "hash:" + _sha(title_part + "\n" + stamp + ("\n" + text_part if text_part else ""))


def _bounded(prefix: str, value: str) -> str:
    if len(value) <= _MAX_RAW_KEY:
        return prefix + value
    return prefix.rstrip(":") + "#" + _sha(value)


def content_hash(title: str, text: str) -> str:
    """SHA-256 hex digest of the whitespace-collapsed, NFC-normalised title and text.

    Whitespace and markup-only differences therefore do not count as an edit (D07).
    """
    return _sha(collapse_whitespace(title) + "\n" + collapse_whitespace(text))


def clamp_date(dt: datetime | str | None, now: datetime, first_seen: datetime) -> datetime:
    """A trustworthy timezone-aware UTC date for an entry (RELIABILITY P11).

    * None, a string (an unparsed value such as ``"Invalid Date"``) or anything
      that is not a datetime -> ``first_seen``;
    * a naive datetime is taken as UTC;
    * a date more than :data:`FUTURE_TOLERANCE` after ``now`` -> ``now`` (so the
      entry is not pinned to the top of every newsletter);
    * otherwise the date itself, converted to UTC.
    """
    if not isinstance(dt, datetime):
        return _utc(first_seen)
    aware = _utc(dt)
    if aware > _utc(now) + FUTURE_TOLERANCE:
        return _utc(now)
    return aware


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def shorten_text(text: str, limit: int) -> str:
    """Cut plain text at a word boundary so that it fits ``limit`` characters, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


_SLUG_RUN_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int, fallback: str) -> str:
    """An identifier made of ``a-z``, ``0-9`` and ``-`` from free text (a title, a segment key).

    Lower-cases ``text``, turns every run of other characters into one ``-``, strips ``-`` at
    both ends and keeps the first ``max_length`` characters; ``fallback`` when nothing is left.
    Non-ASCII letters count as "other" (``"Übersicht"`` -> ``"bersicht"``): the result is
    used in ids and mail headers that must stay ASCII. The cut comes after the strip, so the
    result may end in ``-``; stored ids depend on that, so it stays.
    """
    return _SLUG_RUN_RE.sub("-", text.lower()).strip("-")[:max_length] or fallback
