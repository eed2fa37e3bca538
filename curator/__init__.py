"""curator: personalised content curation and newsletters for a digital business cluster.

The public surface is the facade: ``make_curator()`` returns a ``Curator``. Importing this
package stays light (no torch, no scikit-learn): heavy libraries load inside the adapters.
"""

from .config import Settings, load_settings
from .core import Curator, make_curator
from .errors import CuratorError

__all__ = ["Curator", "CuratorError", "Settings", "load_settings", "make_curator"]
__version__ = "0.1.0"
