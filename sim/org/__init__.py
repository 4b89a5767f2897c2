"""Organizations: the formal hierarchy, units and the informal network.

An :class:`Org` holds who reports to whom (``manager``), the ``level`` below
the top, the ``unit`` of each person and their informal ties (a
:class:`~sim.networks.Network`). Generate a synthetic company with
:func:`generate`, or load a real org chart with :func:`from_csv`.
"""

from sim.org.core import Org, OrgError

__all__ = ["Org", "OrgError"]
