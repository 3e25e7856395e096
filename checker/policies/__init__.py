"""Policy packs: a team's own rules as data, checked per scenario like tapcheck's."""
