"""Which notebooks a federated area runs.

An area with a member that sent aggregates (the consortium, or a region it is in) has no
child-level data for that member, so the analysis notebooks that read episodes cannot run
for it. Its documents keep the written front and end matter (introduction, commissioning)
and take their figures from one notebook, ``federated_consortium``, which publishes the
needs analysis's tables from the members' aggregates and says which sections need
child-level data.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The notebook that publishes a federated area's figures from aggregates.
FEDERATED_NOTEBOOK = "federated_consortium"
#: Notebooks whose words come from the parameters, not from child-level data.
WRITTEN_NOTEBOOKS = ("introduction", "commissioning")


def federated_notebooks(notebooks: Sequence[str]) -> list[str]:
    """The notebooks of a federated area, in document order: the written ones kept, and
    :data:`FEDERATED_NOTEBOOK` in place of the first analysis notebook (the others left out)."""
    out: list[str] = []
    for name in notebooks:
        if name in WRITTEN_NOTEBOOKS:
            out.append(name)
        elif FEDERATED_NOTEBOOK not in out:
            out.append(FEDERATED_NOTEBOOK)
    return out
