"""The web member area, editor console and JSON API: a Flask app that calls the
``Curator`` facade only. Build it with :func:`create_app`."""

from .app import create_app

__all__ = ["create_app"]
