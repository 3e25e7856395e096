"""Policy packs: a team's own rules as data, checked per scenario like tapcheck's."""

ENTRY_POINT_GROUP = "tapcheck.policy_packs"
"""The entry-point group through which an installed package brings a pack."""
