"""What the installed package carries, found with :mod:`importlib.resources`, and how to add what
it leaves out.

The design card keeps ``models/``, ``templates/`` and ``jobs/`` at the top of the repository, where
editors look for them. ``curator/_bundled/`` holds a symbolic link to each: setuptools follows the
links when it builds a wheel, so the wheel carries copies, and an editable install reads the
originals through them. Everything else read at run time (demo content, migrations, the web
stylesheet) lives inside its own subpackage.

Every default path of curator comes from here; the settings ``models_dir``, ``templates_dir`` and
``schedule_file`` point to an editor's own copies instead.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import ConfigError

DISTRIBUTION = "cluster-curator"
"""The name curator is installed under; ``curator`` on the package index is an unrelated project.
The import name and the ``curator`` command stay ``curator``."""


def package_path(package: str, *parts: str) -> Path:
    """The file or folder ``parts`` inside ``package`` (a regular package of curator), on disk.

    pip unpacks wheels, so whatever ships in the package is a real file; Jinja2, Alembic and the
    demo's web server need real folders. The path is returned whether or not it exists. Raises
    ConfigError when curator is imported from a zip archive, which it does not support."""
    root = files(package)
    if not isinstance(root, Path):
        raise ConfigError(f"{package} is imported from an archive ({root}); install curator unpacked "
                          f"(pip install {DISTRIBUTION})")
    return root.joinpath(*parts)


def bundled(*parts: str) -> Path:
    """A file or folder of ``models/``, ``templates/`` or ``jobs/`` as shipped with the package,
    e.g. ``bundled("jobs", "schedule.yaml")`` or ``bundled("models")``."""
    return package_path("curator", "_bundled", *parts)


def install_hint(extra: str) -> str:
    """The command that adds the optional dependencies ``extra`` (an extra of pyproject.toml: st,
    eval, postgres, dev), for an installed wheel and for a checkout."""
    return f"pip install '{DISTRIBUTION}[{extra}]' (in a checkout: pip install -e '.[{extra}]')"
