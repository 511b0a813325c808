"""The HTML report: one self-contained page, rendered in headless Chromium."""

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
