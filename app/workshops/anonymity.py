"""When anonymity stops protecting: in a small group, the one anonymous participant is known
by elimination ("in a group of six the one anonymous participant is obvious"). Pure."""

from __future__ import annotations

# At most this many participants (the one asking included) make a small group.
SMALL_GROUP = 6


def lone_anonymous(counts: dict[str, int], own_sharing: str | None = None) -> bool:
    """Whether someone would be the only anonymous participant of a small group if they
    shared anonymously. `counts`: the workshop's participants by sharing mode; `own_sharing`:
    their current choice when they are already in it, None when joining."""
    others_anonymous = counts.get("anonymous", 0) - (own_sharing == "anonymous")
    size = sum(counts.values()) + (own_sharing is None)
    return size <= SMALL_GROUP and others_anonymous == 0
