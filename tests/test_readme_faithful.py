"""README examples of the sections "Learned rules: faithful by default" and "SDV, Faker and mimesis
code as written" (the helpers are test_readme's)."""

from __future__ import annotations

import re

import pandas as pd

from tests.test_readme import code_blocks, exec_block, readme_section

RULES = "Learned rules: faithful by default"
DROP_IN = "SDV, Faker and mimesis code as written"


def test_learned_rules_example(capsys):
    (block,) = code_blocks(readme_section(RULES), "python")
    ns: dict = {}
    exec_block(block, ns, RULES)
    printed = capsys.readouterr().out
    assert "grids | body_mass_g in steps of 25" in printed
    assert "categorical | only the 5 seen combinations of species, island" in printed
    synth, rows, real = ns["synth"], ns["rows"], ns["real"]
    kept = synth.get_learned_rules()
    assert kept and all(r.family != "grids" for r in kept)  # the dropped family is not enforced
    assert len(rows) == 1000 and list(rows.columns) == list(real.columns)
    allowed = set(map(tuple, real[["species", "island"]].dropna().drop_duplicates().to_numpy()))
    assert set(map(tuple, rows[["species", "island"]].dropna().drop_duplicates().to_numpy())) <= allowed


def test_learned_rules_table_names_every_family():
    from simulacra.constraints.learned.framework import FAMILIES

    table = [line for line in readme_section(RULES).splitlines() if line.startswith("| ") and "---" not in line]
    assert [line.split("|")[1].strip() for line in table[1:]] == list(FAMILIES)


def test_drop_in_example(capsys):
    (block,) = code_blocks(readme_section(DROP_IN), "python")
    block, n = re.subn(r"fake\.name\(n=1_000_000\)", "fake.name(n=10_000)", block)
    assert n == 1
    ns: dict = {}
    values = exec_block(block, ns, DROP_IN)
    real, synthetic = ns["real_data"], ns["synthetic_data"]
    assert len(real) == 500 and len(synthetic) == 500 and list(synthetic.columns) == list(real.columns)
    assert 0.6 < ns["quality_report"].get_score() <= 1
    assert len(ns["names"]) == 10_000
    female, fruit = next(v for s, v in values.items() if s.startswith("Person("))
    assert isinstance(female, str) and " " in female and isinstance(fruit, str) and fruit
    checkin = pd.to_datetime(synthetic["checkin_date"], format="%d %b %Y")
    checkout = pd.to_datetime(synthetic["checkout_date"], format="%d %b %Y")
    assert not (checkout < checkin).any()
    assert capsys.readouterr().out.strip()


def test_drop_in_paragraph_imports_exist():
    import importlib

    for module in ("lite", "single_table", "metadata", "sampling", "constraints", "datasets.demo"):
        importlib.import_module(f"simulacra.{module}")
    importlib.import_module("simulacra.evaluation.single_table")
    importlib.import_module("simulacra.fake.locales")
    importlib.import_module("simulacra.fake.enums")
