"""Planted items for topic trend tests: five topics, each written in German and English from
templates (so no two items are the same text), one of them made to rise in the current period.

``planted_lines(now)`` gives archive lines (``curator import-items`` format) with dates: every
topic has ``FLAT`` items in each of the two 30-day periods, except ``RISING``, which has
``RISING_BEFORE`` before and ``RISING_NOW`` now."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import cycle
from typing import TYPE_CHECKING

from ..conftest import rebuilt

if TYPE_CHECKING:
    from curator.core import Curator
    from curator.types import TopicTrends

RISING = "quantum"
FLAT_TOPIC = "port"
RISING_BEFORE, RISING_NOW, FLAT = 3, 24, 7

_TOPICS: dict[str, dict[str, tuple[list[str], list[str], list[str]]]] = {
    # topic -> lang -> (subjects, title templates, text templates)
    "quantum": {
        "en": (["IBM", "Google", "A Munich start-up", "DESY researchers", "Hamburg University", "IonQ"],
               ["{s} unveils a quantum computer with more qubits", "{s} shows error-corrected qubits in a quantum chip",
                "Quantum computing: {s} doubles its qubits", "{s} opens a quantum computer to business users"],
               ["The quantum processor from {s} runs with superconducting qubits and corrects errors.",
                "{s} says its quantum computer keeps qubits stable for longer, a step for quantum algorithms."]),
        "de": (["IBM", "Google", "Ein Münchner Start-up", "Forschende am DESY", "Die Universität Hamburg", "IonQ"],
               ["{s} stellt Quantencomputer mit mehr Qubits vor", "{s} zeigt fehlerkorrigierte Qubits im Quantenchip",
                "Quantencomputer: {s} verdoppelt die Zahl der Qubits", "{s} öffnet Quantencomputer für Unternehmen"],
               ["Der Quantenprozessor von {s} rechnet mit supraleitenden Qubits und korrigiert Fehler.",
                "{s} hält die Qubits im Quantencomputer länger stabil, ein Schritt für Quantenalgorithmen."]),
    },
    "port": {
        "en": (["HHLA", "Eurogate", "The port authority", "A Hamburg terminal"],
               ["{s} automates container cranes at the port", "{s} tests driverless container trucks in the port",
                "Port logistics: {s} plans containers with software"],
               ["{s} lets software schedule the container cranes and the terminal's trucks.",
                "At the container terminal {s} moves boxes with automated cranes and straddle carriers."]),
        "de": (["Die HHLA", "Eurogate", "Die Hafenbehörde", "Ein Hamburger Terminal"],
               ["{s} automatisiert Containerkräne im Hafen", "{s} testet fahrerlose Containerfahrzeuge im Hafen",
                "Hafenlogistik: {s} plant Container mit Software"],
               ["{s} lässt Software die Containerkräne und Lkw am Terminal steuern.",
                "Am Containerterminal bewegt {s} Container mit automatischen Kränen und Portalhubwagen."]),
    },
    "skills": {
        "en": (["The chamber of commerce", "A survey of IT firms", "Bitkom", "The labour agency"],
               ["{s}: the shortage of IT specialists grows", "{s} warns of a skills shortage in software jobs",
                "Skills shortage: {s} counts open developer vacancies"],
               ["{s} reports thousands of vacancies for developers and IT specialists; firms cannot hire.",
                "According to {s}, employers look for skilled workers and train apprentices in IT."]),
        "de": (["Die Handelskammer", "Eine Umfrage unter IT-Firmen", "Bitkom", "Die Arbeitsagentur"],
               ["{s}: Fachkräftemangel in der IT wächst", "{s} warnt vor Fachkräftemangel bei Softwareberufen",
                "Fachkräftemangel: {s} zählt offene Stellen für Entwickler"],
               ["{s} meldet tausende offene Stellen für Entwickler und IT-Fachkräfte; Betriebe finden niemanden.",
                "Laut {s} suchen Arbeitgeber Fachkräfte und bilden Auszubildende in der IT aus."]),
    },
    "privacy": {
        "en": (["The data protection authority", "The EU commission", "A court in Hamburg", "The regulator"],
               ["{s} fines a platform over data protection", "{s} tightens GDPR rules for cookies",
                "Data protection: {s} checks tracking by apps"],
               ["{s} says the app shared personal data without consent and breached the GDPR.",
                "Under the GDPR {s} demands consent before tracking cookies are set."]),
        "de": (["Der Datenschutzbeauftragte", "Die EU-Kommission", "Ein Hamburger Gericht", "Die Aufsichtsbehörde"],
               ["{s} verhängt Bußgeld wegen Datenschutz", "{s} verschärft DSGVO-Regeln für Cookies",
                "Datenschutz: {s} prüft Tracking durch Apps"],
               ["{s} sagt, die App habe personenbezogene Daten ohne Einwilligung geteilt und gegen die DSGVO verstoßen.",
                "Nach der DSGVO verlangt {s} eine Einwilligung, bevor Tracking-Cookies gesetzt werden."]),
    },
    "funding": {
        "en": (["A Berlin start-up", "A fintech from Hamburg", "A logistics start-up", "A health start-up"],
               ["{s} raises venture capital in a funding round", "{s} closes a Series A led by investors",
                "Start-up funding: {s} gets millions from venture capital"],
               ["{s} raised money from venture capital investors to grow its team and enter new markets.",
                "Investors back {s} in a funding round; the start-up wants to expand."]),
        "de": (["Ein Berliner Start-up", "Ein Hamburger Fintech", "Ein Logistik-Start-up", "Ein Gesundheits-Start-up"],
               ["{s} sammelt Wagniskapital in Finanzierungsrunde", "{s} schließt Series A mit Investoren ab",
                "Start-up-Finanzierung: {s} erhält Millionen von Wagniskapitalgebern"],
               ["{s} hat Geld von Wagniskapitalgebern eingesammelt, um das Team zu vergrößern.",
                "Investoren unterstützen {s} in einer Finanzierungsrunde; das Start-up will expandieren."]),
    },
}

PLANTED_WORDS = {"en": {"quantum", "qubits", "qubit"}, "de": {"quantencomputer", "qubits", "qubit", "quantenchip"}}
"""Words of the rising topic; its labels must contain one of them in each language."""


def _texts(topic: str, lang: str, count: int, offset: int) -> list[tuple[str, str]]:
    subjects, titles, texts = _TOPICS[topic][lang]
    out = []
    combos = cycle([(s, t, x) for x in range(len(texts)) for t in range(len(titles)) for s in range(len(subjects))])
    for k, (s, t, x) in enumerate(combos):
        if k < offset:
            continue
        if len(out) == count:
            break
        subject = subjects[s]
        out.append((titles[t].format(s=subject), texts[x].format(s=subject)))
    return out


def planted_lines(now: datetime, *, period_days: int = 30) -> list[str]:
    """Archive lines for all topics; dates spread over each period, half of each topic German."""
    lines = []
    for topic in _TOPICS:
        before, current = (RISING_BEFORE, RISING_NOW) if topic == RISING else (FLAT, FLAT)
        for period, count, start in (("before", before, period_days), ("now", current, 0)):
            for lang in ("en", "de"):
                n = count // 2 + (count % 2 if lang == "en" else 0)
                offset = 0 if period == "before" else before  # no text in both periods
                for k, (title, text) in enumerate(_texts(topic, lang, n, offset)):
                    at = now - timedelta(days=start + 1 + (k * (period_days - 2)) / max(1, n), hours=k)
                    lines.append(json.dumps({"id": f"{topic}-{period}-{lang}-{k}", "title": title, "text": text,
                                             "lang": lang, "published": at.isoformat(), "url":
                                             f"https://news.example/{topic}/{period}/{lang}/{k}"}))
    return lines


class TopicEncoder:
    """A deterministic encoder for the planted topics (a fake at the edge, for fast tests): a text
    points along its topic's axis (found by keywords in either language) plus a language axis
    (German umlauts and articles) that centring must remove, plus a little hashed noise."""

    KEYWORDS = {"quantum": ("quant", "qubit"), "port": ("container", "hafen", " port"),
                "skills": ("fachkräfte", "skills", "specialists", "stellen", "vacancies"),
                "privacy": ("dsgvo", "gdpr", "datenschutz", "data protection", "tracking"),
                "funding": ("wagniskapital", "venture", "finanzierungsrunde", "funding")}

    def __init__(self) -> None:
        from curator.embeddings import FakeEncoder

        self._noise = FakeEncoder(32)
        self.model_id = "test:planted-topics"

    def encode(self, texts: list[str], *, kind: str = "passage", batch_size: int = 32,
               progress: bool = False) -> object:
        import numpy as np

        rows = []
        for text in texts:
            low = text.lower()
            axis = np.zeros(len(self.KEYWORDS) + 1)
            for k, words in enumerate(self.KEYWORDS.values()):
                if any(w in f" {low}" for w in words):
                    axis[k] = 1.0
                    break
            axis[-1] = 3.0 if any(w in f" {low} " for w in (" der ", " die ", " das ", " und ", "ä", "ö", "ü")) else -3.0
            noise = self._noise.encode([text])[0]
            noise = noise / (np.linalg.norm(noise) or 1.0)
            vec = np.concatenate([axis, 0.25 * noise])
            rows.append(vec / np.linalg.norm(vec))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), len(self.KEYWORDS) + 1 + 32)


def computed_by_worker(cur: Curator, period_days: int = 30) -> TopicTrends:
    """The planted items imported and the worker's trends computation run on ``cur``'s database
    by another Curator with the :class:`TopicEncoder` (as the worker process would), which is
    closed again; returns the stored ``TopicTrends``."""
    worker = rebuilt(cur, encoder=TopicEncoder())
    try:
        worker.items.import_jsonl(planted_lines(worker.clock.now(), period_days=period_days))
        return worker.trends.compute(period_days)
    finally:
        worker.close()
