"""Organizations: the formal hierarchy, units and the informal network.

An :class:`Org` holds who reports to whom (``manager``), the ``level`` below
the top, the ``unit`` of each person and their informal ties (a
:class:`~sim.networks.Network`). Generate a synthetic company with
:func:`generate` (or its parts :func:`hierarchy` and :func:`informal_ties`),
or load a real org chart with :func:`from_csv`; :class:`OrgSpec` holds the checked
parameters of either (or of a network alone) and makes the org.
"""

from sim.org._csv import file_digest, read_file
from sim.org.core import Org, OrgError
from sim.org.generate import generate, hierarchy, informal_ties
from sim.org.load import from_csv
from sim.org.spec import OrgSpec

__all__ = [
    "Org",
    "OrgError",
    "OrgSpec",
    "file_digest",
    "from_csv",
    "generate",
    "hierarchy",
    "informal_ties",
    "read_file",
]
