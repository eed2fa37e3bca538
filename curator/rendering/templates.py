"""MJML + Jinja2 rendering with the compiled template cached.

Two stages, so that MJML is compiled once and never per member (the slow path):

1. *Compile*: ``templates/email/<name>.mjml`` is filled with the fixed texts of one language using
   ``[[ ... ]]`` delimiters (values are XML-escaped and their braces turned into entities, so no
   text can become a Jinja tag in stage 2, RELIABILITY P12), then compiled by MJML. The result
   is a Jinja2 template, cached per (template, language) for the renderer's lifetime.
2. *Fill*: per member, Jinja2 (autoescape on) fills ``{{ ... }}`` with the member's digest.
   Loops over sections and items sit in ``<mj-raw>`` blocks, which MJML passes through verbatim.

The plain-text twin ``<name>.txt`` is a Jinja2 template without escaping.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .labels import labels as fixed_labels
from .mjml_adapter import TemplateError, compile_mjml
from .view import DigestView

HTML_SIZE_BUDGET = 102_000
"""Bytes of HTML above which Gmail is often said to clip a message (unverified; RELIABILITY S20)."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str

    @property
    def over_budget(self) -> bool:
        return len(self.html.encode("utf-8")) > HTML_SIZE_BUDGET


def _stage1_finalize(value: Any) -> Markup:
    return Markup(str(escape(value)).replace("{", "&#123;").replace("}", "&#125;"))


class EmailRenderer:
    """Renders emails from the templates in ``<templates_dir>/email``. Thread-safe."""

    def __init__(self, templates_dir: str | Path) -> None:
        self.dir = Path(templates_dir) / "email"
        if not self.dir.is_dir():
            raise TemplateError(f"{self.dir}: the email templates folder is missing; set templates_dir")
        self._cache: dict[tuple[str, str], jinja2.Template] = {}
        self._lock = threading.Lock()
        self.compile_count = 0
        """How many times MJML was compiled (for tests and the benchmark)."""
        self._stage1 = jinja2.Environment(
            block_start_string="[%", block_end_string="%]", variable_start_string="[[",
            variable_end_string="]]", comment_start_string="[#", comment_end_string="#]",
            autoescape=True, finalize=_stage1_finalize, undefined=jinja2.StrictUndefined)
        self._html = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        self._text = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.dir)), autoescape=False,
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)

    def _source(self, name: str) -> str:
        path = self.dir / f"{name}.mjml"
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TemplateError(f"{path}: cannot read the email template ({exc})") from exc

    def _compile(self, name: str, lang: str) -> jinja2.Template:
        where = str(self.dir / f"{name}.mjml")
        try:
            mjml = self._stage1.from_string(self._source(name)).render(L=fixed_labels(lang), lang=lang)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{where}: {exc}") from exc
        html = compile_mjml(mjml, where=where)
        self.compile_count += 1
        try:
            return self._html.from_string(html)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{where}: the compiled HTML is not a valid Jinja2 template: {exc}") from exc

    def compiled(self, name: str, lang: str) -> jinja2.Template:
        """The compiled template of ``name`` for ``lang``, compiling it on first use only."""
        key = (name, lang)
        with self._lock:
            tpl = self._cache.get(key)
            if tpl is None:
                tpl = self._cache[key] = self._compile(name, lang)
        return tpl

    def render(self, view: DigestView, name: str = "digest", *, compile_once: bool = True) -> RenderedEmail:
        """HTML and plain text for one member. ``compile_once=False`` compiles MJML again (the
        slow path, kept for the benchmark). Raises TemplateError if a template is broken."""
        tpl = self.compiled(name, view.lang) if compile_once else self._compile(name, view.lang)
        ctx = {"d": view, "L": fixed_labels(view.lang)}
        try:
            html = tpl.render(**ctx)
            text = self._text.get_template(f"{name}.txt").render(**ctx)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{self.dir / name}: filling the template failed: {exc}") from exc
        return RenderedEmail(subject=view.subject, html=html, text=text)
