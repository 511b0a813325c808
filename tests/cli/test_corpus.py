"""The hostile-input corpus: every CLI command against broken and hostile files and options.

Each case must end with a non-zero exit status, exactly one stderr line starting with
``error:``, no traceback, and no file left behind (hidden ones included) in the output folder
or next to the inputs. Most cases run in-process (click's CliRunner); a few as real processes.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from .conftest import assert_one_error_line, invoke, listing, write

BOMB_YAML = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


def _zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, penguins):
    """The corpus folder: valid inputs to combine with hostile ones, and the hostile ones."""
    from simulacra import GaussianCopulaSynthesizer, Metadata

    c = tmp_path_factory.mktemp("corpus")
    penguins.to_csv(c / "good.csv", index=False)
    md = Metadata.detect_from_dataframe(penguins, table_name="good")
    md.save_to_json(c / "meta.json")
    GaussianCopulaSynthesizer(md).fit(penguins).save(c / "model.zip")
    good_model = (c / "model.zip").read_bytes()
    write(c / "schema.json", json.dumps({"columns": {"id": {"provider": "sequence"}, "name": "full_name"}}))
    write(
        c / "two.json",
        json.dumps(
            {
                "tables": {
                    "a": {"primary_key": "id", "columns": {"id": {"provider": "sequence"}}},
                    "b": {"columns": {"a_id": {"foreign_key": "a.id"}, "x": "first_name"}},
                }
            }
        ),
    )
    rng = np.random.default_rng(0)
    # data files
    write(c / "empty.csv", b"")
    write(c / "junk.csv", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    write(c / "junk.parquet", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    write(c / "pickle.csv", pickle.dumps({"a": [1, 2, 3], "b": object.__name__}, protocol=4))
    write(c / "latin1.csv", "name,city\nJosé,Málaga\nZoë,Köln\n".encode("latin-1"))
    write(c / "ragged.csv", "a,b\n1,2,3,4\n5\n6,7\n")
    write(c / "dup_header.csv", "a,a,b\n1,2,3\n4,5,6\n")
    write(c / "empty_header.csv", "a,,b\n1,2,3\n4,5,6\n")
    write(c / "header_only.csv", "a,b,c\n")
    write(c / "one_row.csv", "a,b\n1,x\n")
    write(c / "all_missing.csv", "a,b\n1,\n2,\n3,\n")
    write(c / "data.xlsx", b"PK\x03\x04")
    write(c / "deep_data.json", "[" * 10_000 + "]" * 10_000)
    write(c / "deep_rows.jsonl", '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}\n")
    write(c / "bignum_data.json", '[{"a": 1' + "0" * 100_000 + "}]")
    write(c / "bom_only.csv", b"\xef\xbb\xbf")
    write(c / "other_table.json", json.dumps({"columns": {"zzz": {"sdtype": "numerical"}}}))
    (c / "folder.csv").mkdir()
    os.symlink("loop.csv", c / "loop.csv")
    # metadata and schemas
    write(c / "deep.json", "[" * 10_000 + "]" * 10_000)
    write(c / "bignum.json", '{"columns": {"a": {"sdtype": "numerical"}}, "x": 1' + "0" * 100_000 + "}")
    write(c / "list.json", "[]")
    write(c / "bad_sdtype.json", json.dumps({"columns": {"species": {"sdtype": "banana"}}}))
    write(c / "bomb.yaml", BOMB_YAML)
    write(c / "schema.txt", "columns: {a: name}\n")
    write(c / "bad_provider.json", json.dumps({"columns": {"a": "no_such_provider"}}))
    write(c / "not_yaml.yaml", "a: [unclosed\n")
    write(
        c / "sql_table.json",
        json.dumps(
            {"tables": {'t\x01"; DROP TABLE victim; --': {"rows": 3, "columns": {"id": {"provider": "sequence"}}}}}
        ),
    )
    # model files
    write(c / "truncated.zip", good_model[: len(good_model) // 2])
    _zip(c / "wrong_members.zip", {"hello.txt": "hi", "data/other.bin": b"\x00" * 10})
    write(c / "pickle.zip", pickle.dumps({"synthesizer": "gaussian_copula"}, protocol=4))
    buf = io.BytesIO()
    np.savez(buf, a=np.array([{"x": 1}], dtype=object))
    with zipfile.ZipFile(io.BytesIO(good_model)) as z:
        manifest = z.read("manifest.json")
    _zip(c / "npz_pickle.zip", {"manifest.json": manifest, "arrays.npz": buf.getvalue()})
    _zip(c / "deep_manifest.zip", {"manifest.json": "[" * 10_000 + "]" * 10_000, "arrays.npz": b""})
    _zip(c / "bignum_manifest.zip", {"manifest.json": '{"format": 1' + "0" * 100_000 + "}", "arrays.npz": b""})
    # a member that inflates to 64 MB from about 64 KB (ratio 1000:1)
    with zipfile.ZipFile(c / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest)
        info = zipfile.ZipInfo("arrays.npz", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(64):
                f.write(block)
    write(c / "not_a_zip.zip", "a,b\n1,2\n")
    (c / "folder.zip").mkdir()
    os.symlink("loop.zip", c / "loop.zip")
    return c


BAD_DATA = [
    "empty.csv",
    "junk.csv",
    "junk.parquet",
    "pickle.csv",
    "latin1.csv",
    "ragged.csv",
    "dup_header.csv",
    "empty_header.csv",
    "header_only.csv",
    "data.xlsx",
    "folder.csv",
    "loop.csv",
    "missing.csv",
    "model.zip",
    "deep_data.json",
    "deep_rows.jsonl",
    "bignum_data.json",
    "bom_only.csv",
]
BAD_METADATA = [
    "deep.json",
    "bignum.json",
    "list.json",
    "bad_sdtype.json",
    "other_table.json",
    "empty.csv",
    "folder.csv",
    "missing.json",
    "junk.csv",
]
BAD_MODELS = [
    "truncated.zip",
    "wrong_members.zip",
    "pickle.zip",
    "npz_pickle.zip",
    "deep_manifest.zip",
    "bignum_manifest.zip",
    "bomb.zip",
    "not_a_zip.zip",
    "folder.zip",
    "loop.zip",
    "missing.zip",
    "good.csv",
    "empty.csv",
]
BAD_SCHEMAS = [
    "deep.json",
    "bignum.json",
    "list.json",
    "bomb.yaml",
    "schema.txt",
    "bad_provider.json",
    "not_yaml.yaml",
    "empty.csv",
    "folder.csv",
    "missing.json",
    "junk.csv",
    "model.zip",
    "loop.csv",
]

CASES = []
for f in BAD_DATA:
    CASES += [
        (f"metadata-{f}", ["metadata", "{c}/" + f, "-o", "{o}/meta.json"]),
        (f"fit-{f}", ["fit", "{c}/" + f, "-o", "{o}/m.zip"]),
        (f"evaluate-real-{f}", ["evaluate", "{c}/" + f, "{c}/good.csv"]),
        (f"evaluate-synthetic-{f}", ["evaluate", "{c}/good.csv", "{c}/" + f]),
        (f"report-{f}", ["report", "{c}/good.csv", "{c}/" + f, "-o", "{o}/r.html"]),
    ]
CASES += [
    ("fit-one-row", ["fit", "{c}/one_row.csv", "-o", "{o}/m.zip"]),
    ("fit-all-missing", ["fit", "{c}/all_missing.csv", "-o", "{o}/m.zip"]),
    (
        "report-holdout-junk",
        ["report", "{c}/good.csv", "{c}/good.csv", "--holdout", "{c}/junk.csv", "-o", "{o}/r.html"],
    ),
]
for f in BAD_METADATA:
    CASES += [
        (f"fit-metadata-{f}", ["fit", "{c}/good.csv", "-m", "{c}/" + f, "-o", "{o}/m.zip"]),
        (f"evaluate-metadata-{f}", ["evaluate", "{c}/good.csv", "{c}/good.csv", "-m", "{c}/" + f]),
        (f"report-metadata-{f}", ["report", "{c}/good.csv", "{c}/good.csv", "-m", "{c}/" + f, "-o", "{o}/r.html"]),
    ]
for f in BAD_MODELS:
    CASES.append((f"sample-{f}", ["sample", "{c}/" + f, "-n", "10", "-o", "{o}/out.csv"]))
for f in BAD_SCHEMAS:
    CASES.append((f"fake-{f}", ["fake", "{c}/" + f, "-n", "10", "-o", "{o}/out.csv"]))
CASES += [
    # sizes and numbers
    ("sample-n-absurd", ["sample", "{c}/model.zip", "-n", str(10**15), "-o", "{o}/out.csv"]),
    ("sample-n-2**70", ["sample", "{c}/model.zip", "-n", str(2**70), "-o", "{o}/out.parquet"]),
    ("sample-n-negative", ["sample", "{c}/model.zip", "-n", "-5", "-o", "{o}/out.csv"]),
    ("sample-n-text", ["sample", "{c}/model.zip", "-n", "many", "-o", "{o}/out.csv"]),
    ("sample-n-float", ["sample", "{c}/model.zip", "-n", "1e-3", "-o", "{o}/out.csv"]),  # 1e3 is 1000 rows
    ("sample-n-fraction", ["sample", "{c}/model.zip", "-n", "2.5", "-o", "{o}/out.csv"]),
    ("sample-seed-negative", ["sample", "{c}/model.zip", "-n", "5", "--seed", "-1", "-o", "{o}/out.csv"]),
    ("sample-batch-zero", ["sample", "{c}/model.zip", "-n", "5", "--batch-size", "0", "-o", "{o}/out.csv"]),
    ("sample-batch-absurd", ["sample", "{c}/model.zip", "-n", "5", "--batch-size", str(10**12), "-o", "{o}/out.csv"]),
    ("fake-n-absurd", ["fake", "{c}/schema.json", "-n", str(10**15), "-o", "{o}/out.csv"]),
    ("fake-n-2**70", ["fake", "{c}/schema.json", "-n", str(2**70), "-o", "{o}/out.csv"]),
    ("fake-sqlite-n-absurd", ["fake", "{c}/schema.json", "-n", str(10**15), "--to", "sqlite:///{o}/x.db"]),
    ("fake-folder-n-absurd", ["fake", "{c}/two.json", "-n", str(10**15), "-o", "{o}"]),
    ("fake-folder-not-a-folder", ["fake", "{c}/two.json", "-n", "5", "-o", "{o}/x.csv"]),
    ("fake-n-negative", ["fake", "{c}/schema.json", "-n", "-1", "-o", "{o}/out.csv"]),
    ("fake-n-text", ["fake", "{c}/schema.json", "-n", "ten", "-o", "{o}/out.csv"]),
    ("fake-chunk-zero", ["fake", "{c}/schema.json", "-n", "5", "--chunk-size", "0", "-o", "{o}/out.csv"]),
    ("fake-seed-text", ["fake", "{c}/schema.json", "-n", "5", "--seed", "x", "-o", "{o}/out.csv"]),
    ("fake-unknown-locale", ["fake", "{c}/schema.json", "-n", "5", "--locale", "xx_YY", "-o", "{o}/out.csv"]),
    ("fake-no-target", ["fake", "{c}/schema.json", "-n", "5"]),
    ("demo-n-zero", ["demo", "-n", "0", "-d", "{o}"]),
    ("demo-n-absurd", ["demo", "-n", str(10**12), "-d", "{o}"]),
    ("demo-seed-negative", ["demo", "--seed", "-3", "-d", "{o}"]),
    ("demo-missing-folder", ["demo", "-d", "{o}/nowhere"]),
    # synthesizers and their parameters
    ("fit-unknown-synthesizer", ["fit", "{c}/good.csv", "-s", "nope", "-o", "{o}/m.zip"]),
    ("demo-unknown-synthesizer", ["demo", "-s", "nope", "-d", "{o}"]),
    ("fit-unknown-preset", ["fit", "{c}/good.csv", "--preset", "slow", "-o", "{o}/m.zip"]),
    ("fit-epochs-zero", ["fit", "{c}/good.csv", "-s", "ctgan", "--epochs", "0", "-o", "{o}/m.zip"]),
    ("fit-epochs-copula", ["fit", "{c}/good.csv", "--epochs", "5", "-o", "{o}/m.zip"]),
    ("fit-param-no-equals", ["fit", "{c}/good.csv", "--param", "epochs", "-o", "{o}/m.zip"]),
    ("fit-param-unknown", ["fit", "{c}/good.csv", "--param", "colour=blue", "-o", "{o}/m.zip"]),
    ("fit-param-bad-value", ["fit", "{c}/good.csv", "-s", "cart", "--param", "max_depth=deep", "-o", "{o}/m.zip"]),
    (
        "fit-param-deep-json",
        ["fit", "{c}/good.csv", "--param", "locales=" + "[" * 10_000 + "]" * 10_000, "-o", "{o}/m.zip"],
    ),
    ("fit-bad-distribution", ["fit", "{c}/good.csv", "--distribution", "banana", "-o", "{o}/m.zip"]),
    ("fit-bad-sep", ["fit", "{c}/good.csv", "--sep", ";;", "-o", "{o}/m.zip"]),
    ("report-unknown-target", ["report", "{c}/good.csv", "{c}/good.csv", "--target", "nope", "-o", "{o}/r.html"]),
    # outputs
    ("sample-output-extension", ["sample", "{c}/model.zip", "-n", "5", "-o", "{o}/out.xlsx"]),
    ("sample-output-folder", ["sample", "{c}/model.zip", "-n", "5", "-o", "{o}"]),
    ("sample-output-no-folder", ["sample", "{c}/model.zip", "-n", "5", "-o", "{o}/no/out.csv"]),
    ("fit-output-no-folder", ["fit", "{c}/good.csv", "-o", "{o}/no/m.zip"]),
    ("report-output-folder", ["report", "{c}/good.csv", "{c}/good.csv", "-o", "{o}"]),
    ("metadata-output-no-folder", ["metadata", "{c}/good.csv", "-o", "{o}/no/meta.json"]),
    ("fake-output-no-folder", ["fake", "{c}/schema.json", "-n", "5", "-o", "{o}/no/out.csv"]),
    # names used as SQL: a table name no database can hold is refused before anything is written
    (
        "fake-sql-table-option",
        [
            "fake",
            "{c}/schema.json",
            "-n",
            "5",
            "--to",
            "sqlite:///{o}/x.db",
            "--table",
            't\x01"; DROP TABLE victim; --',
        ],
    ),
    ("fake-sql-table-schema", ["fake", "{c}/sql_table.json", "--to", "sqlite:///{o}/x.db"]),
    # the command line itself
    ("unknown-command", ["nope"]),
    ("synthesizers-extra-argument", ["synthesizers", "extra"]),
    ("synthesizers-unknown-option", ["synthesizers", "--colour"]),
    ("evaluate-missing-argument", ["evaluate", "{c}/good.csv"]),
]


def _args(template, c, o):
    return [a.replace("{c}", str(c)).replace("{o}", str(o)) for a in template]


@pytest.mark.parametrize("name,template", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(name, template, corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before_out, before_corpus = listing(out), listing(corpus)
    r = invoke(*_args(template, corpus, out))
    assert_one_error_line(r)
    assert listing(out) == before_out, "files left in the output folder"
    assert listing(corpus) == before_corpus, "files left next to the inputs"


SUBPROCESS_CASES = [
    ("fit-unknown-synthesizer", "unknown synthesizer 'nope'"),
    ("sample-truncated.zip", "truncated.zip"),
    ("fake-bomb.yaml", "bomb.yaml"),
    ("metadata-junk.csv", "junk.csv"),
    ("sample-n-negative", "-5"),
]


@pytest.mark.parametrize("name,match", SUBPROCESS_CASES, ids=[c[0] for c in SUBPROCESS_CASES])
def test_hostile_input_real_process(name, match, corpus, tmp_path):
    template = dict(CASES)[name]
    out = tmp_path / "out"
    out.mkdir()
    before = listing(corpus)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "simulacra", *_args(template, corpus, out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert r.returncode != 0
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr
    assert match in lines[0]
    assert listing(out) == [] and listing(corpus) == before


@pytest.mark.parametrize("name", ['victim";COMMIT;--', 'victim"; DROP TABLE victim; --', "victim' OR 1=1; --"])
def test_sql_in_a_table_name_never_touches_another_table(tmp_path, corpus, name):
    import sqlite3

    db = tmp_path / "x.db"
    with sqlite3.connect(db) as con:
        con.execute("create table victim (id integer primary key, v text)")
        con.executemany("insert into victim values (?, ?)", [(1, "a"), (2, "b"), (3, "c")])
    con.close()
    r = invoke(
        "fake", corpus / "schema.json", "-n", "5", "--to", f"sqlite:///{db}", "--table", name, "--if-exists", "replace"
    )
    if r.exit_code != 0:
        assert_one_error_line(r)
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from victim").fetchone()[0] == 3
        tables = {t for (t,) in con.execute("select name from sqlite_master where type='table'")}
    con.close()
    assert tables <= {"victim", name}
    if r.exit_code == 0:  # the odd name is held as it is, quoted
        assert name in tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


@pytest.mark.parametrize(
    "args",
    [
        ["sample", "{c}/fifo.zip", "-n", "5", "-o", "{o}/out.csv"],
        ["metadata", "{c}/fifo.csv"],
        ["fit", "{c}/good.csv", "-m", "{c}/fifo.json", "-o", "{o}/m.zip"],
        ["fake", "{c}/fifo.yaml", "-n", "3", "-o", "{o}/out.csv"],
        ["evaluate", "{c}/good.csv", "{c}/fifo.csv"],
    ],
    ids=["sample", "metadata", "fit-metadata", "fake", "evaluate"],
)
def test_a_named_pipe_as_input_never_blocks(tmp_path, corpus, args):
    """A FIFO (nobody writing) given as an input: refused at once, in a real process with a time guard."""
    fifo_dir = tmp_path / "in"
    fifo_dir.mkdir()
    for name in ("fifo.zip", "fifo.csv", "fifo.json", "fifo.yaml"):
        os.mkfifo(fifo_dir / name)
    out = tmp_path / "out"
    out.mkdir()
    argv = [a.replace("{c}/fifo", f"{fifo_dir}/fifo") for a in args]
    r = subprocess.run(
        [sys.executable, "-m", "simulacra", *_args(argv, corpus, out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert r.returncode != 0 and len(r.stderr.splitlines()) == 1 and r.stderr.startswith("error: "), r.stderr
    assert listing(out) == []
