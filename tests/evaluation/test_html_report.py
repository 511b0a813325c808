"""The HTML report: one self-contained page, rendered in headless Chromium."""

import html
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from simulacra import CARTSynthesizer
from simulacra.cli import cli as main


@pytest.fixture(scope="module")
def report_path(tmp_path_factory, penguins, penguins_metadata):
    d = tmp_path_factory.mktemp("report")
    train = penguins.iloc[::2].reset_index(drop=True)
    hold = penguins.iloc[1::2].reset_index(drop=True)
    syn = CARTSynthesizer(penguins_metadata).fit(train).sample(len(train), seed=0)
    train.to_csv(d / "train.csv", index=False)
    hold.to_csv(d / "hold.csv", index=False)
    syn.to_csv(d / "syn.csv", index=False)
    out = d / "report.html"
    r = CliRunner().invoke(
        main,
        [
            "report",
            str(d / "train.csv"),
            str(d / "syn.csv"),
            "--holdout",
            str(d / "hold.csv"),
            "--target",
            "species",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    return out


def test_report_is_self_contained(report_path):
    text = report_path.read_text(encoding="utf-8")
    for section in ("Quality", "Diagnostics", "Privacy", "ML utility", "Statistical tests", "Column shapes"):
        assert section in text
    assert text.count("<svg") >= 5
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert "<script" not in text


def test_report_bad_target(tmp_path, penguins):
    penguins.to_csv(tmp_path / "p.csv", index=False)
    r = CliRunner().invoke(
        main,
        [
            "report",
            str(tmp_path / "p.csv"),
            str(tmp_path / "p.csv"),
            "--target",
            "nope",
            "-o",
            str(tmp_path / "r.html"),
        ],
    )
    assert r.exit_code == 1 and "--target 'nope'" in r.output
    assert not (tmp_path / "r.html").exists()


def test_report_renders_in_headless_chromium(report_path, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([exe, *flags, "--dump-dom", report_path.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Synthetic data report" in dom.stdout and 'id="scores"' in dom.stdout
    assert "<svg" in dom.stdout  # at least one plot made it into the rendered page
    shot = tmp_path / "shot.png"
    r = subprocess.run(
        [exe, *flags, f"--screenshot={shot}", "--window-size=1200,1600", report_path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and shot.stat().st_size > 10_000


@pytest.fixture(scope="module")
def small_report(penguins, penguins_metadata):
    from simulacra.evaluation.report import build_report

    syn = CARTSynthesizer(penguins_metadata).fit(penguins).sample(200, seed=0)
    return build_report(penguins, syn, penguins_metadata, target="species")


def test_report_plots_every_column(small_report, penguins, penguins_metadata):
    for c in penguins.columns:
        assert html.escape(f"for column '{c}'") in small_report or f"{c} (" in small_report.split("plots-left-out")[-1]


def test_trtr_on_a_seeded_split_not_the_training_rows(small_report):
    import re

    assert "utility-split" in small_report and "seeded 75%" in small_report
    row = re.search(r"<tr><td>macro_f1</td><td>([0-9.]+)</td>", small_report) or re.search(
        r"<tr><td>[a-z_0-9]+</td><td>([0-9.]+)</td>", small_report.split("ML utility")[-1]
    )
    assert row and float(row.group(1)) < 1.0


def test_ticks_by_column_type():
    import pandas as pd

    from simulacra.evaluation import get_column_pair_plot, get_column_plot

    df = pd.DataFrame({"year": [2007, 2008, 2009, 2012] * 5, "day": pd.date_range("2020-01-01", periods=20)})
    meta = {"columns": {"year": {"sdtype": "numerical"}, "day": {"sdtype": "datetime"}}}
    year = get_column_plot(df, df, "year", meta).to_svg()
    assert ">2007<" in year and "e+03" not in year
    pair = get_column_pair_plot(df, df, ["day", "year"], meta).to_svg()
    assert ">2020-01-01<" in pair and ">2012<" in pair and "e+09" not in pair
