"""Training progress of the neural synthesizers: SDV's ``verbose`` shows each epoch's losses on stderr
(a live rich bar on a terminal, one line per epoch elsewhere); quiet by default; the CLI's fit shows it."""

import re

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from simulacra import CopulaGANSynthesizer, CTGANSynthesizer, TVAESynthesizer  # noqa: E402
from simulacra.cli import cli  # noqa: E402
from simulacra.utils.progress import LossProgress, format_losses  # noqa: E402

SMALL = dict(batch_size=100, embedding_dim=16, cuda=False)
GAN = dict(SMALL, generator_dim=(32,), discriminator_dim=(32,))
KINDS = [
    (CTGANSynthesizer, GAN, "CTGAN", ("generator", "discriminator")),
    (TVAESynthesizer, dict(SMALL, compress_dims=(32,), decompress_dims=(32,)), "TVAE", ("loss",)),
    (CopulaGANSynthesizer, GAN, "CopulaGAN", ("generator", "discriminator")),
]
IDS = [k.__name__ for k, *_ in KINDS]


@pytest.fixture(scope="module")
def small(penguins):
    return penguins.iloc[:120].reset_index(drop=True)


@pytest.mark.parametrize("klass, kw, title, names", KINDS, ids=IDS)
def test_verbose_writes_one_line_per_epoch_with_the_losses_it_records(
    klass, kw, title, names, small, penguins_metadata, capsys
):
    s = klass(penguins_metadata, epochs=3, verbose=True, **kw)
    s.fit(small)
    err = capsys.readouterr().err  # captured: not a terminal, so plain lines
    lines = [line for line in err.splitlines() if " epoch " in line]
    assert [line.split(":")[0] for line in lines] == [f"{title} epoch {i}/3" for i in (1, 2, 3)]
    losses = s.get_loss_values()
    last = losses.iloc[-1]
    values = [float(v) for v in re.findall(r"[+-]\d+\.\d{3}", lines[-1])]
    recorded = [last["Loss"]] if names == ("loss",) else [last["Generator Loss"], last["Discriminator Loss"]]
    assert values == pytest.approx(recorded, abs=5e-4)
    assert all(n in lines[-1] for n in names)


@pytest.mark.parametrize("klass, kw, title, names", KINDS[:2], ids=IDS[:2])
def test_quiet_by_default(klass, kw, title, names, small, penguins_metadata, capsys):
    klass(penguins_metadata, epochs=2, **kw).fit(small)
    captured = capsys.readouterr()
    assert " epoch " not in captured.err and " epoch " not in captured.out


def test_a_terminal_gets_a_live_bar_with_the_epoch_and_losses(small, penguins_metadata, capsys, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: stderr counts as a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    s = TVAESynthesizer(penguins_metadata, epochs=4, verbose=True, compress_dims=(32,), decompress_dims=(32,), **SMALL)
    s.fit(small)
    err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", capsys.readouterr().err)  # drop the escape codes
    assert "TVAE" in err and "epoch 4/4" in err
    assert f"loss {s.get_loss_values()['Loss'].iloc[-1]:+.3f}" in err
    assert "TVAE epoch 1/4:" not in err  # the bar, not the plain lines


def test_loss_progress_counts_epochs_even_when_quiet(capsys):
    with LossProgress(5, False, "X") as bar:
        for _ in range(5):
            bar.update(a=1.0)
    assert bar.epoch == 5 and capsys.readouterr().err == ""
    assert format_losses({"G": -0.5, "D": 0.25}) == "G -0.500 | D +0.250"


def _fit(tmp_path, small, *extra):
    data = tmp_path / "small.csv"
    small.to_csv(data, index=False)
    args = ["fit", str(data), "-o", str(tmp_path / "m.zip"), "-s", "tvae", "--epochs", "2", "--overwrite"]
    args += ["--param", "compress_dims=[32]", "--param", "decompress_dims=[32]", "--param", "batch_size=100"]
    return CliRunner().invoke(cli, args + list(extra))


def test_cli_fit_shows_the_epochs_when_asked_and_is_quiet_off_a_terminal(tmp_path, small):
    shown = _fit(tmp_path, small, "--progress")
    assert shown.exit_code == 0, shown.output
    assert "TVAE epoch 1/2: loss " in shown.stderr and "TVAE epoch 2/2: loss " in shown.stderr
    quiet = _fit(tmp_path, small)  # CliRunner's stderr is not a terminal
    assert quiet.exit_code == 0, quiet.output
    assert " epoch " not in quiet.stderr and " epoch " not in quiet.stdout
    explicit = _fit(tmp_path, small, "--param", "verbose=false", "--progress")  # the parameter wins
    assert explicit.exit_code == 0, explicit.output
    assert " epoch " not in explicit.stderr
