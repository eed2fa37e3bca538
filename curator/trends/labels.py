"""Topic labels: the words that set a topic's items apart from the rest, per language.

class-based TF-IDF (c-TF-IDF, as in BERTopic): all items of one language in one topic form one
document; a word scores ``tf(word, topic) * log(1 + A / f(word))`` where ``tf`` is its share of
the topic's words, ``A`` the average number of words per topic and ``f`` its count over all
topics *and* the rest (items in no topic), so words common everywhere ("said", "Prozent") sink and
words peculiar to one topic rise. Titles count twice: they name the subject.

Words are compared by a crude stem (lower case, a plural or inflection ending removed) and shown in
their most frequent written form, so "Quantencomputer" and "Quantencomputern" are one word, and
German nouns keep their capital letter.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

TITLE_WEIGHT = 2
LABEL_WORDS = 3
"""Words in a label ("Quantencomputer · Qubits · IBM")."""

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{2,}", re.UNICODE)

_STOP_TEXT = """
a about above after again against all almost also although always am among an and another any anyone are
around as at away back be became because been before being below between both but by can cannot could
did do does doing done down during each either else even ever every few first for from further get gets
got had has have having he her here hers herself him himself his how however i if in into is it its
itself just last least less let like likely made make makes many may me might more most mostly much must
my myself near need never new next no nor not now of off often on once one only or other others our ours
ourselves out over own per perhaps put rather really said same say says see seen she should show shows
since so some still such than that the their theirs them themselves then there these they this those
though three through thus to today too took two under until up upon us use used using very via was way we
week weeks well were what when where whether which while who whom whose why will with within without
would year years yet you your yours yourself also told according including around across already among
mr mrs ms monday tuesday wednesday thursday friday saturday sunday percent million billion time times
people said news report reported reports says could would should
ab aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf
aus bei beim bereits bis bisher bin bist da dabei dadurch dafür dagegen daher dahin damals damit danach
daneben dann daran darauf daraus darf darin darum darunter das dass davon dazu dem demnach den denen denn
dennoch der deren derer des deshalb dessen die dies diese diesem diesen dieser dieses doch dort du durch
eben ebenfalls ein eine einem einen einer eines einige einigen einiger einmal er es etwa etwas euch euer
eure für gab gar gibt ging gegen gegenüber gemacht gerade gewesen ging habe haben hat hatte hatten hier
hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in indem ins ist ja jahr jahre
jahren je jede jedem jeden jeder jedes jedoch jetzt kam kann kein keine keinem keinen keiner kommt können
könnte konnte lassen laut liegt machen macht man mehr mehrere mein meine mit muss musste müssen nach
nachdem neue neuen neuer neues nicht nichts noch nun nur ob oder ohne prozent sagt sagte schon sehr sei
seien sein seine seinem seinen seiner seines seit seitdem selbst sich sie sind so sogar solche soll
sollen sollte sollten sowie statt über um und uns unser unsere unter viel viele vom von vor vorher
während wann war waren warum was weil weit weitere weiteren welche welchem welchen welcher wenn wer werde
werden wie wieder will wir wird wirklich wo wollen wollte worden wurde wurden zu zum zur zwar zwei
zwischen millionen milliarden euro dollar prozent heute gestern morgen montag dienstag mittwoch
donnerstag freitag samstag sonntag derzeit zudem allerdings sowohl bislang rund knapp erst erstmals
wegen jährige jährigen zweiten dritten second third
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())
"""German and English function words and news filler; both lists apply to every item."""

_SUFFIXES = ("ern", "en", "er", "es", "e", "n", "s")


def stem(word: str) -> str:
    """A crude stem for grouping a word's forms: lower case, one common ending removed from
    words of six letters or more ("Qubits" -> "qubit", "Unternehmen" -> "unternehm")."""
    low = word.lower().replace("’", "'")
    if low.endswith("'s"):
        low = low[:-2]
    if len(low) >= 6 and not low.endswith("ss"):
        for suffix in _SUFFIXES:
            if low.endswith(suffix):
                return low[: -len(suffix)]
    return low


def words(text: str) -> list[str]:
    """The content words of ``text`` in their written form: at least three letters and not a stop
    word, or an acronym of two to four capitals; never a number."""
    return [w for w in _WORD.findall(text) if _acronym(w) or (len(w) >= 3 and w.lower() not in STOP_WORDS)]


def _acronym(word: str) -> bool:
    """"KI", "EU", "US", "IT": short capitals are names, even where the lower-case word is a
    stop word."""
    return 2 <= len(word) <= 4 and word.isupper()


def distinctive_words(documents: Mapping[int, Sequence[tuple[str, str]]], rest: Sequence[tuple[str, str]] = (),
                      *, limit: int = 8) -> dict[int, list[str]]:
    """The most distinctive words of each topic, best first, at most ``limit``.

    ``documents`` maps a topic to its items' ``(title, text)`` in ONE language; ``rest`` are that
    language's items in no topic (they only make words common). A word must occur in two items of
    a topic that has two or more, so one article's pet word does not name the topic. A topic
    without items gets no words."""
    counts: dict[int, Counter[str]] = {}
    spread: dict[int, Counter[str]] = {}
    forms: dict[str, Counter[str]] = {}
    for topic, docs in documents.items():
        counts[topic], spread[topic] = _count(docs, forms)
    rest_counts, _ = _count(rest, forms)
    total: Counter[str] = Counter(rest_counts)
    for c in counts.values():
        total.update(c)
    classes = [c for c in counts.values() if c] + ([rest_counts] if rest_counts else [])
    average = sum(sum(c.values()) for c in classes) / max(1, len(classes))
    out: dict[int, list[str]] = {}
    for topic, c in counts.items():
        size = sum(c.values())
        need = 2 if len(documents[topic]) >= 2 else 1
        scored = [(n / size * math.log(1.0 + average / total[s]), s) for s, n in c.items()
                  if spread[topic][s] >= need] if size else []
        scored.sort(key=lambda x: (-x[0], x[1]))
        out[topic] = [forms[s].most_common(1)[0][0] for _, s in scored[:limit]]
    return out


def label(word_list: Iterable[str], *, size: int = LABEL_WORDS) -> str:
    """A label of the first ``size`` words, joined by a middle dot."""
    return " · ".join(list(word_list)[:size])


def _count(docs: Sequence[tuple[str, str]], forms: dict[str, Counter[str]]) -> tuple[Counter[str], Counter[str]]:
    """(weighted word counts, number of documents each word occurs in) by stem; written forms
    are tallied into ``forms``."""
    counts: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    for title, text in docs:
        seen = set()
        for weight, part in ((TITLE_WEIGHT, title), (1, text)):
            for w in words(part):
                s = stem(w)
                counts[s] += weight
                forms.setdefault(s, Counter())[w] += weight
                seen.add(s)
        spread.update(seen)
    return counts, spread
