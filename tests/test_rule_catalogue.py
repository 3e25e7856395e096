"""The rule catalogue that `tapcheck rules` and `tapcheck explain` read is what the rule
classes say, and is rebuilt when tapcheck's code changes."""

from __future__ import annotations

from tapcheck.checker import caches, rule_catalogue
from tapcheck.rules import ALL_RULES


def test_the_catalogue_is_the_rules_metadata_whether_built_or_read(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = [rule.metadata() for rule in ALL_RULES]
    assert rule_catalogue.rule_catalogue() == expected  # built from the classes
    assert len(list((tmp_path / "tapcheck" / "rules").glob("*.json"))) == 1
    assert rule_catalogue.rule_catalogue() == expected  # read back from the cache
    assert rule_catalogue.catalogue_entry("tap101") == ALL_RULES[[r.id for r in ALL_RULES].index("TAP101")].metadata()
    assert rule_catalogue.catalogue_entry("TAP999") is None


def test_a_catalogue_of_other_code_is_never_read(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "tapcheck" / "rules"
    folder.mkdir(parents=True)
    (folder / "0123-earlier-code.json").write_text('[{"id": "TAP101"}]')
    assert [entry.id for entry in rule_catalogue.rule_catalogue()] == [rule.id for rule in ALL_RULES]
    assert [p.name for p in folder.glob("*.json")] == [f"{caches.own_code_identity()}.json"]


def test_an_unreadable_catalogue_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tmp_path / "tapcheck" / "rules" / f"{caches.own_code_identity()}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert [entry.id for entry in rule_catalogue.rule_catalogue()] == [rule.id for rule in ALL_RULES]
