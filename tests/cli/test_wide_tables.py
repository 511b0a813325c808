"""evaluate and report on a table with more column pairs than --max-pairs: the sample is stated."""

import json

import numpy as np
import pandas as pd

from .conftest import invoke


def _wide_csvs(tmp_path, cols=40):
    rng = np.random.default_rng(0)
    real = pd.DataFrame(rng.standard_normal((30, cols)), columns=[f"x{j}" for j in range(cols)])
    real["cat"] = np.where(real["x0"] > 0, "a", "b")
    syn = real.sample(frac=1, replace=True, random_state=1)
    real.to_csv(tmp_path / "real.csv", index=False)
    syn.to_csv(tmp_path / "syn.csv", index=False)
    return tmp_path / "real.csv", tmp_path / "syn.csv"


def test_evaluate_states_the_pair_sample(tmp_path):
    real, syn = _wide_csvs(tmp_path)
    total = 41 * 40 // 2
    r = invoke("evaluate", real, syn, "--max-pairs", 100)
    assert r.exit_code == 0, r.output
    assert (
        f"random sample of 100 of the {total:,} column pairs (seed 0" in r.output
        and "--max-pairs 0 for all" in r.output
    )
    r = invoke("evaluate", real, syn, "--max-pairs", 100, "--json")
    assert json.loads(r.output)["column_pairs"] == {
        "scored": 100,
        "total": total,
        "sampled": True,
        "seed": 0,
        "max_pairs": 100,
    }
    r = invoke("evaluate", real, syn, "--max-pairs", 0, "--json")
    assert json.loads(r.output)["column_pairs"]["scored"] == total
    r = invoke("evaluate", real, syn)  # 820 pairs: under the default, all scored and nothing said
    assert r.exit_code == 0 and "column pairs" not in r.output


def test_report_states_the_pair_sample(tmp_path):
    real, syn = _wide_csvs(tmp_path)
    r = invoke("report", real, syn, "-o", tmp_path / "page.html", "--max-pairs", 50)
    assert r.exit_code == 0, r.output
    page = (tmp_path / "page.html").read_text()
    assert "id='pair-sampling'" in page and "50 of the 820 column pairs" in page
