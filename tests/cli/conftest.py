import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulacra.cli import cli


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, penguins):
    """A folder with penguins.csv and a fitted Gaussian-copula model.zip (made once)."""
    from simulacra import GaussianCopulaSynthesizer, Metadata

    d = tmp_path_factory.mktemp("model")
    penguins.to_csv(d / "penguins.csv", index=False)
    GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(penguins, table_name="penguins")).fit(penguins).save(
        d / "model.zip"
    )
    return d


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def listing(folder) -> list[str]:
    """Every entry under ``folder``, hidden ones included (names relative to it)."""
    out = []
    for root, dirs, files in os.walk(folder):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(root, n), folder))
    return sorted(out)


def assert_one_error_line(result, match=None):
    """Non-zero exit, no exception escaped, stderr is exactly one 'error: ...' line, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    if match is not None:
        assert match in lines[0], lines[0]
    return lines[0]


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path
