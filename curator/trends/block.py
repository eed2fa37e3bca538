"""The "topics" block an editor drops into a digest or an event idea: the leading topics of a
trends computation in one language, as plain text and as an HTML fragment."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from ..i18n import translate
from ..types import Item, TopicsBlock, TopicTrends


def change_text(change: float) -> str:
    """``+150 %`` / ``-40 %`` (rounded to whole per cent)."""
    return f"{change * 100:+.0f} %"


def topics_block(trends: TopicTrends, lang: str, items: Mapping[int, Item], *, limit: int = 5,
                 examples: int = 2) -> TopicsBlock:
    """The first ``limit`` topics of ``trends`` (rising first, as stored), each with its label in
    ``lang``, its items now, a rising/falling mark where the test said so, and up to ``examples``
    of its example items found in ``items`` (the caller passes only items the block's readers may
    see). No topics: a block with the title and nothing else."""
    title = translate("topics_title", lang).format(days=trends.period_days)
    lines = [title, ""]
    html = [f"<h3>{escape(title)}</h3>", "<ul>"]
    for topic in trends.topics[:limit]:
        count = translate("topic_items", lang).format(n=topic.items)
        mark = ""
        if topic.rising or topic.falling:
            mark = f" ({translate('rising' if topic.rising else 'falling', lang)}, {change_text(topic.change)})"
        lines.append(f"- {topic.label(lang)}: {count}{mark}")
        html.append(f"<li><strong>{escape(topic.label(lang))}</strong>: {escape(count + mark)}")
        shown = [items[i] for i in topic.examples if i in items][:examples]
        if shown:
            html.append("<ul>")
            for item in shown:
                lines.append(f"  {item.title}" + (f" <{item.url}>" if item.url else ""))
                text = escape(item.title)
                html.append(f'<li><a href="{escape(item.url, quote=True)}">{text}</a></li>' if item.url
                            else f"<li>{text}</li>")
            html.append("</ul>")
        html.append("</li>")
    html.append("</ul>")
    return TopicsBlock(lang=lang, text="\n".join(lines).rstrip() + "\n", html="".join(html))
