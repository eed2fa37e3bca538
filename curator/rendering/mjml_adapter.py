"""The one module that imports mjml-python (Rust MJML compiler, no Node)."""

from __future__ import annotations

from ..errors import CuratorError


class TemplateError(CuratorError):
    """An email template could not be compiled or filled."""


def compile_mjml(source: str, *, where: str) -> str:
    """Compile MJML markup to responsive HTML. Raises TemplateError naming ``where`` (the file)."""
    try:
        from mjml import mjml2html
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise TemplateError("mjml-python is not installed: `pip install mjml-python`") from exc
    try:
        out = mjml2html(source, disable_comments=True)
    except Exception as exc:  # the binding raises plain exceptions with the parser's message
        raise TemplateError(f"{where}: the MJML could not be compiled: {exc}") from exc
    return out if isinstance(out, str) else str(getattr(out, "html", out))
