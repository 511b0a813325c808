"""``simulacra fit DATA --sequence-key KEY`` and ``simulacra sample MODEL -n SEQUENCES``: sequences from the shell."""

import pandas as pd

from .conftest import assert_one_error_line, invoke, listing
from ..sequential.test_synthesizer import patients


def test_fit_and_sample_sequences(tmp_path):
    df = patients(120)
    df.to_csv(tmp_path / "visits.csv", index=False)
    model = tmp_path / "m.zip"
    r = invoke(
        "fit",
        tmp_path / "visits.csv",
        "-o",
        model,
        "--sequence-key",
        "patient_id",
        "--sequence-index",
        "visit_date",
        "--context-columns",
        "sex,birth_year",
    )
    assert r.exit_code == 0, r.output
    assert "SequentialSynthesizer on 120 sequences" in r.stdout and "context sex, birth_year" in r.stdout
    r = invoke("sample", model, "-n", 7, "-o", tmp_path / "out.csv", "--seed", 3)
    assert r.exit_code == 0, r.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == list(df.columns) and out["patient_id"].nunique() == 7
    r = invoke("sample", model, "-n", 4, "--sequence-length", 2, "-o", tmp_path / "two.csv")
    assert r.exit_code == 0, r.output
    assert pd.read_csv(tmp_path / "two.csv").groupby("patient_id").size().eq(2).all()


def test_sequence_errors_are_one_line_and_leave_nothing(tmp_path):
    df = patients(30)
    df.to_csv(tmp_path / "visits.csv", index=False)
    before = listing(tmp_path)
    r = invoke("fit", tmp_path / "visits.csv", "-o", tmp_path / "m.zip", "--sequence-key", "nope")
    assert_one_error_line(r, "--sequence-key 'nope'")
    r = invoke(
        "fit",
        tmp_path / "visits.csv",
        "-o",
        tmp_path / "m.zip",
        "--sequence-key",
        "patient_id",
        "--context-columns",
        "lab",
    )
    assert_one_error_line(r, "lab")  # varies within a sequence
    assert listing(tmp_path) == before
