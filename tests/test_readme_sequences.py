"""The README's "Sequences: entities with histories" examples run as written (Python and the CLI lines)."""

import pandas as pd
import pytest

from .test_readme import code_blocks, commands, readme_section, run_cli

SECTION = "Sequences: entities with histories"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sequences_example(in_tmp, capsys, seed):
    (block,) = code_blocks(readme_section(SECTION), "python")
    assert block.count("seed=0") == 3
    ns: dict = {}
    exec(compile(block.replace("seed=0", f"seed={seed}"), "README.md (Sequences)", "exec"), ns)
    out = capsys.readouterr().out
    assert "patient_id visit_date" in out
    syn, visits = ns["synthetic"], ns["visits"]
    assert syn["patient_id"].nunique() == 100 and syn["patient_id"].str.fullmatch(r"P\d{5}").all()
    two = ns["two"]
    assert len(two) == 10 and two.groupby("patient_id", sort=False)["sex"].first().tolist() == ["F", "M"]
    more = ns["more"]
    last = visits.loc[visits["patient_id"] == "P00000", "visit_date"].max()
    assert len(more) == 3 and (more["visit_date"] > last).all()
    props = ns["report"].get_properties().set_index("Property")["Score"]
    assert props["Column Shapes"] > 0.85
    assert (in_tmp / "visits_model.zip").exists()


def test_sequences_cli_lines(in_tmp):
    from simulacra.datasets.sequential import make_patient_visits

    make_patient_visits(200).to_csv("visits.csv", index=False)
    blocks = code_blocks(readme_section("CLI reference"), "bash")
    lines = [a for b in blocks for a in commands(b) if "visits.csv" in a or "visits.zip" in a]
    assert len(lines) == 2
    for args in lines:
        run_cli(args[1:])
    out = pd.read_csv("new_visits.csv")
    assert out["patient_id"].nunique() == 100 and set(out.columns) == set(pd.read_csv("visits.csv").columns)
