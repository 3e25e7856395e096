"""The layers stay one-way: the import-linter contracts in setup.cfg hold, every module has
its place in them, and no module imports a module that imports it back."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import grimp

from conftest import REPO


def test_import_contracts_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    process = subprocess.run([lint_imports], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stdout + process.stderr


def test_every_module_has_a_layer():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    layers = {name for name in re.split(r"[\s|:]+", config["importlinter:contract:layers"]["layers"]) if name}
    graph = grimp.build_graph("tapcheck")
    placed = ("tapcheck.checker.", "tapcheck.rules", "tapcheck.reports")
    unplaced = sorted(
        module
        for module in graph.modules
        if module.startswith(placed) and not any(module == layer or module.startswith(layer + ".") for layer in layers)
    )
    assert unplaced == []


def test_no_import_cycle():
    graph = grimp.build_graph("tapcheck")
    cycles = sorted(
        (importer, imported, graph.find_shortest_chain(importer=imported, imported=importer))
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.find_shortest_chain(importer=imported, imported=importer)
    )
    assert cycles == []
