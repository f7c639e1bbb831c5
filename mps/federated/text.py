"""The sentences a federated area's documents publish about where their figures come from
and which sections need child-level data."""

from __future__ import annotations

from collections.abc import Sequence

#: Sections of the documents that need child-level data, with what each needs: a borough
#: that sends aggregates cannot supply them (aggregates version 1 carries the 903 counts).
CHILD_LEVEL_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Children in children's homes",
        "each child's placement history, needs and costs linked together",
    ),
    ("Children's needs", "each child's needs assessment matched to their placement"),
    (
        "Cost and need",
        "each placement's cost matched to the child's assessed needs (the cost-against-need "
        "model is fitted child by child)",
    ),
    ("Placement requests", "the referral logs"),
    ("Spend, unit costs, contracts and providers", "each placement's spend record"),
    ("The borough beside the consortium", "every member's counts on the same footing"),
    (
        "Forecast demand",
        "each child's moves between placement types and age bands (the stock-flow model's "
        "rates are estimated from the episodes)",
    ),
    ("Forecast demand against supply: the gaps", "the forecast and the supply inputs"),
)


def _listed(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def federated_sentence(federated: Sequence[str], pooled: Sequence[str]) -> str:
    """How the figures were put together, naming the members that sent aggregates."""
    sent = _listed(federated)
    verb = "sends" if len(federated) == 1 else "send"
    held = f" and the child-level returns of {_listed(pooled)}" if pooled else ""
    return (
        f"{sent} {verb} the partnership counts rather than child-level records (federated "
        f"mode). The figures below add up those counts{held}, following the same counting "
        "rules. A figure that depends on a count a council suppressed to protect "
        "confidentiality is not known to the partnership either, and is shown as c."
    )


def unavailable_markdown(area_name: str) -> str:
    """The section saying what this document cannot show without child-level data."""
    rows = "\n".join(f"- **{section}**: needs {needs}." for section, needs in CHILD_LEVEL_SECTIONS)
    return (
        "## Sections that need child-level data\n\n"
        f"These sections of the full statement are not produced for {area_name}, because "
        "they need child-level data that not every member shares:\n\n"
        f"{rows}\n\n"
        "Each council's own statement has them for its own area."
    )
