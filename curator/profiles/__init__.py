"""Member interest profiles, personas, feedback semantics and the access rule.

Pure domain logic (numpy, scikit-learn); never imports ``curator.storage``. The access rule lives
in :mod:`curator.profiles.access` and is the one function every surface uses.
"""

from .access import can_see, visible_to

__all__ = ["can_see", "visible_to"]
