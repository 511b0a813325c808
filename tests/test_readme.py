"""README examples run as tests, section by section.

The helpers find a section of README.md by its heading, and the code blocks, inline code and
commands in it. Each README section with examples has its own group of tests below: add a new
group for a new section (``readme_section("Title")`` and the blocks it needs), so an example
that stops working fails here instead of failing a reader.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulacra.errors import ConstraintError

README = Path(__file__).resolve().parents[1] / "README.md"
SEEDS = range(8)


# ---------------------------------------------------------------------------- helpers
def readme_section(title: str) -> str:
    """The text under the heading ``title`` down to the next heading of the same or a higher level."""
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    fence = False
    start = level = None
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"^(#+) (.*)$", line)
        if not m:
            continue
        if start is None and m.group(2).strip() == title:
            start, level = i + 1, len(m.group(1))
        elif start is not None and len(m.group(1)) <= level:
            return "\n".join(lines[start:i])
    if start is None:
        raise AssertionError(f"README.md has no section {title!r}")
    return "\n".join(lines[start:])


def code_blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{re.escape(lang)}\n(.*?)^```", text, flags=re.S | re.M)


def commands(block: str, program: str = "simulacra") -> list[list[str]]:
    """The command lines of a bash block as argument lists (comments dropped)."""
    out = []
    for line in block.splitlines():
        args = shlex.split(line, comments=True)
        if args:
            out.append(args)
    return out


def run_cli(args: list[str]):
    from simulacra.cli import cli

    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, f"simulacra {shlex.join(args)} failed:\n{result.output}"
    return result


def run_shell_line(args: list[str], seed: int | None = None, max_rows: int | None = None):
    """Run one README command line: ``simulacra ...`` in process, ``mkdir -p DIR``; anything else fails."""
    if args[:2] == ["mkdir", "-p"]:
        for d in args[2:]:
            Path(d).mkdir(parents=True, exist_ok=True)
        return None
    assert args[0] == "simulacra", f"the test cannot run README line {shlex.join(args)!r}"
    args = list(args[1:])
    if seed is not None:
        if "--seed" in args:
            args[args.index("--seed") + 1] = str(seed)
        else:
            args += ["--seed", str(seed)]
    if max_rows is not None and "-n" in args:
        i = args.index("-n") + 1
        args[i] = str(min(int(args[i]), max_rows))
    return run_cli(args)


def pg_reachable(url: str) -> bool:
    try:
        import psycopg  # noqa: F401
        import sqlalchemy as sa

        eng = sa.create_engine(url)
        with eng.connect() as c:
            c.execute(sa.select(1))
        eng.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


# ---------------------------------------------------------------------------- Fake data
def cap_rows(code: str, most: int) -> str:
    """``n=1_000_000`` -> ``n=<most>``: the examples run the same way on fewer rows (speed is for benchmarks/)."""
    return re.sub(r"\bn=(\d[\d_]*)", lambda m: f"n={min(int(m.group(1).replace('_', '')), most)}", code)


def test_fake_data_python_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (block,) = code_blocks(readme_section("Fake data").split("### ")[0], "python")
    ns: dict = {}
    exec(compile(cap_rows(block, 5_000), "README.md (Fake data)", "exec"), ns)
    fake = ns["fake"]
    assert fake.email(n=5_000, unique=True).is_unique


def test_fake_data_mimesis_style_examples():
    text = readme_section("Fake data")
    para = text[text.index("mimesis-style classes") :].split("\n\n")[0]
    spans = re.findall(r"`([^`]+)`", para)
    ns: dict = {}
    imports = [s for s in spans if s.startswith("from ")]
    assert imports
    for s in imports:
        exec(s, ns)
    for s in spans:
        if s.startswith("from "):
            continue
        value = eval(s.replace("key=...", "key=str.upper"), ns)  # '...' stands for any key function
        assert value is not None and (not hasattr(value, "__len__") or len(value) > 0), s


NEEDS = {"basic.choice": {"values": ["a", "b"]}}  # fields with a required option


def test_fake_data_listed_providers_and_aliases_exist():
    from simulacra.fake import Fake, available_locales

    text = readme_section("Fake data")
    listed = text[text.index("Providers:") :].split("\n\n")[0]
    fake = Fake(seed=0)
    found = 0
    for topic, methods in re.findall(r"`(\w+)` \(([^)]*)\)", listed):
        for m in re.findall(r"\w+", methods.split(";")[0]):  # "; data from mimesis ..." is prose
            values = getattr(getattr(fake, topic), m)(n=3, **NEEDS.get(f"{topic}.{m}", {}))
            assert len(values) == 3, f"{topic}.{m}"
            found += 1
    assert found > 40
    aliases = re.search(r"aliases \(([^)]*)\)", listed).group(1)
    for a in re.findall(r"`(\w+)`", aliases):
        assert len(getattr(fake, a)(n=2)) == 2, a
    tested = re.search(r"\(`simulacra.fake.available_locales\(\)`\); (.*?) are tested", listed, re.S).group(1)
    for loc in re.findall(r"[a-z]{2}_[A-Z]{2}", tested):
        assert loc in available_locales()
        assert Fake(locale=loc, seed=0).person.full_name(n=3).str.len().gt(0).all(), loc


# ---------------------------------------------------------------------------- Schemas, files and databases
SCHEMAS = "Schemas, files and databases"
PG_URL = "postgresql://postgres@127.0.0.1/test"


def _write_schema_files(folder: Path) -> None:
    """people.yaml (and any other schema file) exactly as README.md shows them."""
    text = readme_section(SCHEMAS)
    blocks = code_blocks(text, "yaml") + code_blocks(text, "json")
    named = 0
    for b in blocks:
        m = re.match(r"\s*(?:#|//) ?(\S+\.(?:ya?ml|json))\b[^\n]*\n", b)
        if m:
            body = b[m.end() :] if b.lstrip().startswith("//") else b
            (folder / m.group(1)).write_text(body, encoding="utf-8")
            named += 1
    assert named >= 1 and (folder / "people.yaml").exists()


def _check_people(customers: pd.DataFrame, orders: pd.DataFrame) -> None:
    assert len(customers) == 1000 and len(orders) == 5000
    assert customers["customer_id"].tolist() == list(range(1, 1001))
    assert customers["email"].notna().all() and customers["email"].is_unique
    # e-mails come from each customer's own name
    last = customers["name"].str.split().str[-1].str.lower().str.replace(r"[^a-z]", "", regex=True)
    assert all(l in e.split("@")[0] for l, e in zip(last, customers["email"]))
    assert orders["order_id"].is_unique
    assert orders["customer_id"].isin(customers["customer_id"]).all()
    assert orders["amount"].between(5, 500).all()
    assert (orders["label"] == "C" + orders["customer_id"].astype(str) + "-" + orders["order_id"].astype(str)).all()
    signup = pd.to_datetime(customers["signup"])
    assert signup.dropna().between("2020-01-01", "2024-12-31").all() and 0.03 < signup.isna().mean() < 0.2


@pytest.mark.parametrize("seed", SEEDS)
def test_schema_people_yaml_in_python(tmp_path, seed):
    from simulacra.fake import Fake

    _write_schema_files(tmp_path)
    tables = Fake(seed=seed).table(str(tmp_path / "people.yaml"))
    _check_people(tables["customers"], tables["orders"])


def _schema_commands():
    (block,) = code_blocks(readme_section(SCHEMAS), "bash")
    cmds = commands(block)
    assert cmds and all(c[0] in ("simulacra", "mkdir") for c in cmds)
    return cmds


@pytest.mark.parametrize("seed", SEEDS)
def test_schema_commands(tmp_path, monkeypatch, seed):
    monkeypatch.chdir(tmp_path)
    _write_schema_files(tmp_path)
    ran = 0
    for args in _schema_commands():
        if any(a.startswith("postgresql") for a in args):
            continue  # test_schema_command_postgresql
        # -n capped: the example's 10,000,000 rows stream the same way, only slower
        run_shell_line(args, seed=seed, max_rows=20_000)
        ran += 1
    assert ran >= 3
    _check_people(pd.read_csv("out/customers.csv"), pd.read_csv("out/orders.csv"))
    assert len(pd.read_parquet("people.parquet")) == 20_000
    _check_sqlite("fake.db")


def _check_sqlite(path):
    import sqlalchemy as sa

    eng = sa.create_engine(f"sqlite:///{path}")
    with eng.connect() as c:
        customers = pd.read_sql_table("customers", c)
        orders = pd.read_sql_table("orders", c)
        fks = sa.inspect(c).get_foreign_keys("orders")
        assert c.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    eng.dispose()
    _check_people(customers, orders)
    assert fks and fks[0]["referred_table"] == "customers"


def test_schema_command_postgresql(tmp_path, monkeypatch):
    import sqlalchemy as sa

    pg = [c for c in _schema_commands() if any(a.startswith("postgresql") for a in c)]
    assert len(pg) == 1
    url = next(a for a in pg[0] if a.startswith("postgresql"))
    if not pg_reachable(url):
        pytest.skip(f"PostgreSQL not reachable at {url}")
    monkeypatch.chdir(tmp_path)
    _write_schema_files(tmp_path)
    eng = sa.create_engine(url)
    try:
        for seed in SEEDS:
            run_shell_line(pg[0], seed=seed)  # --if-exists replace: each seed replaces both tables
            with eng.connect() as c:
                customers = pd.read_sql_table("customers", c)
                orders = pd.read_sql_table("orders", c)
                fks = sa.inspect(c).get_foreign_keys("orders")
            _check_people(customers, orders)
            assert fks and fks[0]["referred_table"] == "customers"
    finally:
        with eng.begin() as c:
            for t in ("orders", "customers"):
                sa.Table(t, sa.MetaData()).drop(c, checkfirst=True)
        eng.dispose()


# ---------------------------------------------------------------------------- shared by the groups below
def exec_block(code: str, ns: dict, name: str) -> dict:
    """Run a README block statement by statement; returns {source of each bare expression: its value}.

    The values let a test check what an example's comments promise about lines whose result the
    example itself does not keep (``synth.sample_from_conditions(...)`` on its own line).
    """
    import ast

    values = {}
    for node in ast.parse(code).body:
        src = ast.get_source_segment(code, node)
        if isinstance(node, ast.Expr):
            values[src] = eval(compile(ast.Expression(node.value), f"README.md ({name})", "eval"), ns)
        else:
            exec(compile(ast.Module([node], type_ignores=[]), f"README.md ({name})", "exec"), ns)
    return values


def value_of(values: dict, start: str):
    (hit,) = [v for s, v in values.items() if s.startswith(start)]
    return hit


# ---------------------------------------------------------------------------- Quickstart
def test_quickstart_demo_command(tmp_path, monkeypatch):
    """``simulacra demo`` (the part after ``pip install . &&``) in an empty folder."""
    (block,) = [b for b in code_blocks(readme_section("Quickstart"), "bash") if "simulacra demo" in b]
    line = block.split("&&")[-1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    result = run_shell_line(shlex.split(line))
    assert "synthetic_penguins.csv" in result.output and "%" in result.output  # prints the quality
    from simulacra import BaseSynthesizer, load_demo

    synthetic = pd.read_csv("synthetic_penguins.csv")
    assert len(synthetic) == 344 and list(synthetic.columns) == list(load_demo().columns)
    assert len(BaseSynthesizer.load("penguins_model.zip").sample(5, seed=0)) == 5


# ---------------------------------------------------------------------------- API tour
TOUR_ROWS = 3_000


def test_api_tour(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    (block,) = code_blocks(readme_section("API tour").split("### ")[0], "python")
    # big.parquet's 10,000,000 rows are capped to TOUR_ROWS: the same streamed path, in seconds
    block, n = re.subn(r"sample\(10_000_000,", f"sample({TOUR_ROWS},", block)
    assert n == 1, "the API tour no longer samples 10_000_000 rows to big.parquet: update this test"
    ns: dict = {}
    values = exec_block(block, ns, "API tour")
    from simulacra import GaussianCopulaSynthesizer, Metadata

    real, metadata, rows, loaded = ns["real"], ns["metadata"], ns["rows"], ns["synth"]
    assert metadata.to_dict()["tables"]["penguins"]["columns"]["year"]["sdtype"] == "categorical"
    # the JSON round-trips
    assert Metadata.load_from_json("penguins.json").to_dict() == metadata.to_dict()
    # same seed, same rows (byte-identical)
    assert len(rows) == 1000 and list(rows.columns) == list(real.columns)
    assert loaded.sample(num_rows=1000, seed=42).to_csv(index=False) == rows.to_csv(index=False)
    again = GaussianCopulaSynthesizer.load("model.zip").sample(num_rows=1000, seed=42)
    pd.testing.assert_frame_equal(again, rows)
    # or SDV 2's fit({"penguins": real}): the same model
    dict_fit = GaussianCopulaSynthesizer(
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        numerical_distributions={"body_mass_g": "beta"},
        default_distribution="auto",
    )
    dict_fit.fit({"penguins": real})
    pd.testing.assert_frame_equal(dict_fit.sample(num_rows=1000, seed=42), rows)
    # within the learned [min, max], with the real number of decimals
    for c in ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]:
        assert rows[c].dropna().between(real[c].min(), real[c].max()).all(), c
        assert (rows[c].dropna() * 10).round(6).mod(1).eq(0).all(), c
    assert value_of(values, "synth.get_learned_distributions()")["body_mass_g"]["distribution"] == "beta"
    big = pd.read_parquet("big.parquet")
    assert len(big) == TOUR_ROWS and list(big.columns) == list(real.columns)
    score = ns["report"].get_score()
    assert 0.7 < score <= 1 and value_of(values, "report.get_score()") == score
    assert set(value_of(values, "report.get_properties()")["Property"]) == {"Column Shapes", "Column Pair Trends"}
    assert set(value_of(values, 'report.get_details("Column Shapes")')["Column"]) <= set(real.columns)


def test_api_tour_sdv_walkthrough_imports():
    text = readme_section("API tour").split("### ")[0]
    para = text[text.index("SDV walkthrough") :].split("\n\n")[0]
    imports = [" ".join(s.split()) for s in re.findall(r"`(from [^`]+)`", para)]
    assert len(imports) == 3
    ns: dict = {}
    for s in imports:
        exec(s, ns)
    data, metadata = ns["download_demo"](modality="single_table", dataset_name="penguins")
    assert len(data) == 344  # the shipped penguins table
    synth = ns["SingleTablePreset"](metadata, name="FAST_ML")
    synth.fit(data)
    assert 0.5 < ns["evaluate_quality"](data, synth.sample(200, seed=0), metadata, verbose=False).get_score() <= 1


# ---------------------------------------------------------------------------- Synthesizers, presets, constraints and conditions
SYNTHS = "Synthesizers, presets, constraints and conditions"


def test_synthesizer_table_names_and_classes():
    import simulacra
    from simulacra import available_synthesizers

    table = [l for l in readme_section(SYNTHS).splitlines() if l.startswith("| `")]
    names = classes = 0
    for row in table:
        name_cell, class_cell = row.split("|")[1:3]
        for name in re.findall(r"`(\w+)`", name_cell):
            assert name in available_synthesizers(), name
            names += 1
        for klass in re.findall(r"`(\w+)`", class_cell):
            assert isinstance(getattr(simulacra, klass), type), klass
            classes += 1
    assert names == classes == len(available_synthesizers())


def test_presets_lines(tmp_path, monkeypatch):
    """``SingleTablePreset(metadata, name=...)``, ``simulacra.synthesizers.preset(...)`` and ``fit --preset``."""
    import simulacra
    from simulacra import CARTSynthesizer, GaussianCopulaSynthesizer, Metadata, load_demo

    para = readme_section(SYNTHS)
    para = para[para.index("Presets:") :].split("\n\n")[0]
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", para)]
    real = load_demo().head(120)
    metadata = Metadata.detect_from_dataframe(real, table_name="penguins")
    ns = {"metadata": metadata, "simulacra": simulacra, "SingleTablePreset": simulacra.SingleTablePreset}
    base = next(s for s in spans if s.startswith("SingleTablePreset("))
    kinds = {"FAST_ML": GaussianCopulaSynthesizer, "fast": GaussianCopulaSynthesizer, "best": CARTSynthesizer}
    calls = [base] + [base.replace('name="FAST_ML"', s) for s in spans if s.startswith("name=")]
    calls += [s for s in spans if s.startswith("simulacra.synthesizers.preset(")]
    assert len(calls) == 4
    for call in calls:
        synth = eval(call, ns)
        assert type(synth) is kinds[re.search(r'"(\w+)"', call).group(1)], call
        assert len(synth.fit(real).sample(20, seed=0)) == 20, call
    (line,) = [s for s in spans if s.startswith("simulacra fit")]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    real.to_csv("data.csv", index=False)
    run_shell_line(shlex.split(line.replace("DATA", "data.csv").replace("MODEL", "model.zip")))
    assert type(simulacra.BaseSynthesizer.load("model.zip")) is CARTSynthesizer


def hotel_table(seed: int, n: int = 300) -> pd.DataFrame:
    """The hotel table the README's constraints example is about (it does not define one)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    places = [("Paris", "FR"), ("Lyon", "FR"), ("Nice", "FR"), ("Berlin", "DE"), ("Munich", "DE"), ("Madrid", "ES")]
    idx = rng.integers(0, len(places), n)
    checkin = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    return pd.DataFrame(
        {
            "guest_id": np.arange(n),
            "checkin_date": checkin,
            "checkout_date": checkin + pd.to_timedelta(rng.integers(0, 15, n), unit="D"),
            "city": [places[i][0] for i in idx],
            "country": [places[i][1] for i in idx],
            "room_type": rng.choice(["basic", "deluxe", "suite"], n),
            "amenities_fee": rng.uniform(0, 500, n).round(2),
        }
    )


@pytest.mark.parametrize("seed", range(3))
def test_constraints_and_conditions_example(seed):
    from simulacra import Metadata

    (block,) = code_blocks(readme_section(SYNTHS), "python")
    real = hotel_table(seed)
    metadata = Metadata.detect_from_dataframe(real, table_name="hotel")
    ns: dict = {"real": real, "metadata": metadata}
    values = exec_block(block, ns, SYNTHS)
    by_country = value_of(values, "synth.sample_from_conditions(")
    by_city = value_of(values, "synth.sample_remaining_columns(")
    assert len(by_country) == 100 and (by_country["country"] == "FR").all()
    assert len(by_city) == 2 and by_city["city"].tolist() == ["Paris", "Lyon"]
    plain = ns["synth"].sample(300, seed=seed)
    observed = set(zip(real["city"], real["country"]))
    for rows in (by_country, by_city, plain):
        assert (rows["checkin_date"] <= rows["checkout_date"]).all()
        assert set(zip(rows["city"], rows["country"])) <= observed
        assert rows["amenities_fee"].between(0, 500).all()
    assert (by_city["country"] == "FR").all()  # Paris and Lyon are only ever in France


def test_constraints_sdv1_dicts_custom_and_reload(tmp_path):
    """'SDV 1 dicts work too'; custom constraints via create_custom_constraint_class, attached again after load."""
    from simulacra import CARTSynthesizer, Metadata
    from simulacra.constraints import create_custom_constraint_class

    real = hotel_table(0)
    metadata = Metadata.detect_from_dataframe(real, table_name="hotel")
    synth = CARTSynthesizer(metadata)
    synth.add_constraints(
        [
            {
                "constraint_class": "Inequality",
                "constraint_parameters": {"low_column_name": "checkin_date", "high_column_name": "checkout_date"},
            },
            {
                "constraint_class": "ScalarRange",
                "constraint_parameters": {"column_name": "amenities_fee", "low_value": 0, "high_value": 500},
            },
        ]
    )

    def short_stay(cols, data, days):  # is_valid(column_names, data, **kwargs)
        return (data[cols[1]] - data[cols[0]]).dt.days <= days

    stay = create_custom_constraint_class(short_stay)
    synth.add_constraints([stay(column_names=["checkin_date", "checkout_date"], days=14)])
    synth.fit(real)
    rows = synth.sample(200, seed=0)
    assert (rows["checkout_date"] - rows["checkin_date"]).dt.days.between(0, 14).all() and rows[
        "amenities_fee"
    ].between(0, 500).all()
    synth.save(tmp_path / "hotel.zip")
    loaded = CARTSynthesizer.load(tmp_path / "hotel.zip")  # built-in constraints are saved, custom ones not
    loaded.add_constraints([stay(column_names=["checkin_date", "checkout_date"], days=14)])
    again = loaded.sample(200, seed=0)
    assert (again["checkout_date"] - again["checkin_date"]).dt.days.between(0, 14).all() and again[
        "amenities_fee"
    ].between(0, 500).all()
    with pytest.raises(ConstraintError):  # an unseen category is an impossible condition
        synth.sample_remaining_columns(pd.DataFrame({"country": ["XX"]}))


def test_custom_constraint_after_inequality_on_same_columns():
    """A custom rule every real row meets, listed after a built-in constraint on the same columns."""
    from simulacra import CARTSynthesizer, Metadata
    from simulacra.constraints import Inequality, create_custom_constraint_class

    real = hotel_table(0)
    synth = CARTSynthesizer(Metadata.detect_from_dataframe(real, table_name="hotel"))
    stay = create_custom_constraint_class(lambda cols, data: (data[cols[1]] - data[cols[0]]).dt.days >= 0)
    synth.add_constraints(
        [Inequality("checkin_date", "checkout_date"), stay(column_names=["checkin_date", "checkout_date"])]
    )
    synth.fit(real)  # ConstraintError: 300 of the 300 real rows break it
    rows = synth.sample(100, seed=0)
    assert (rows["checkout_date"] >= rows["checkin_date"]).all()


# ---------------------------------------------------------------------------- PII in synthetic data, and pseudonymization
def test_pii_pseudonymize_examples(tmp_path):
    import zipfile

    import numpy as np

    from simulacra import GaussianCopulaSynthesizer, Metadata
    from simulacra.fake.pseudonym import pseudonymize_table

    text = readme_section("PII in synthetic data, and pseudonymization")
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", text)]
    ctor = next(s for s in spans if s.startswith("GaussianCopulaSynthesizer("))
    direct = next(s for s in spans if s.startswith("simulacra.fake.pseudonym.pseudonymize_table("))
    rng = np.random.default_rng(0)
    emails = np.array([f"user{i}@example.org" for i in range(12)])
    real = pd.DataFrame(
        {"email": rng.choice(emails, 400, p=np.arange(12, 0, -1) / 78), "amount": rng.gamma(2, 10, 400).round(2)}
    )
    metadata = Metadata.detect_from_dataframe(real, table_name="t")
    assert metadata.to_dict()["tables"]["t"]["columns"]["email"]["sdtype"] == "email"
    key = "a pseudonym key of some length"
    synth = eval(
        ctor.replace('"..."', repr(key)), {"GaussianCopulaSynthesizer": GaussianCopulaSynthesizer, "metadata": metadata}
    )
    synth.fit(real)
    rows = synth.sample(4000, seed=0)
    assert not set(rows["email"]) & set(emails)  # no real value comes back
    real_shares = np.sort(real["email"].value_counts(normalize=True).to_numpy())
    sampled_shares = np.sort(rows["email"].value_counts(normalize=True).to_numpy())
    assert len(sampled_shares) == len(real_shares) and np.abs(sampled_shares - real_shares).max() < 0.03
    synth.save(tmp_path / "m.zip")
    with zipfile.ZipFile(tmp_path / "m.zip") as z:
        stored = b"".join(z.read(n) for n in z.namelist())
    assert key.encode() not in stored and not any(e.encode() in stored for e in emails)
    # pseudonymize_table(df, key=...): the same real value always gives the same fake value under the same key
    call = direct.replace("simulacra.fake.pseudonym.", "").replace("key=...", "key=key")
    a, used = eval(call, {"pseudonymize_table": pseudonymize_table, "df": real, "key": key})  # (table, key)
    assert used == key
    b, _ = eval(
        call, {"pseudonymize_table": pseudonymize_table, "df": real.iloc[::-1].reset_index(drop=True), "key": key}
    )
    assert not set(a["email"]) & set(emails) and a["amount"].equals(real["amount"])
    pairs = dict(zip(real["email"], a["email"]))
    assert len(set(pairs.values())) == len(pairs) and all(
        pairs[r] == f for r, f in zip(real["email"][::-1], b["email"])
    )
    other, _ = pseudonymize_table(real, key="another key of some length")
    assert not other["email"].equals(a["email"])


# ---------------------------------------------------------------------------- Evaluation
def test_evaluation_example(tmp_path, monkeypatch, capsys):
    import tempfile
    import webbrowser

    import numpy as np

    from simulacra import GaussianCopulaSynthesizer, Metadata, evaluate_quality, load_demo

    (block,) = code_blocks(readme_section("Evaluation"), "python")
    real = load_demo()
    metadata = Metadata.detect_from_dataframe(real, table_name="penguins")
    perm = np.random.default_rng(0).permutation(len(real))
    real_train, real_holdout, real_test = (
        real.iloc[perm[a:b]].reset_index(drop=True) for a, b in [(0, 200), (200, 270), (270, None)]
    )
    synthetic = GaussianCopulaSynthesizer(metadata).fit(real_train).sample(300, seed=0)
    quality_report = evaluate_quality(real, synthetic, metadata, verbose=False)
    ns = dict(
        real=real,
        synthetic=synthetic,
        metadata=metadata,
        real_train=real_train,
        real_holdout=real_holdout,
        real_test=real_test,
        quality_report=quality_report,
    )
    # headless: no display and no browser (webbrowser.open finds none), so show() says where the page is
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(var, raising=False)
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    values = exec_block(block, ns, "Evaluation")
    assert 0 <= value_of(values, "run_diagnostic(").get_score() <= 1
    privacy = value_of(values, "evaluate_privacy(")
    assert 0 <= privacy.get_score() <= 1
    assert len(value_of(values, "evaluate_utility(").get_details()) > 0
    assert len(value_of(values, "statistical_tests(")) > 0
    assert "<svg" in ns["fig"].to_svg()
    assert opened and "plot written to" in capsys.readouterr().out
    assert "<svg" in Path(opened[0].removeprefix("file://")).read_text(encoding="utf-8")
    assert "<svg" in value_of(values, 'quality_report.get_visualization("Column Shapes")').to_svg()
    ns["fig"].save(tmp_path / "plot.svg")  # the comment's fig.save("plot.svg")
    assert (tmp_path / "plot.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    # get_correlation_difference_plot, Pearson by default, method="spearman" for rank correlations
    from simulacra import get_correlation_difference_plot

    for kwargs in ({}, {"method": "spearman"}):
        assert "<svg" in get_correlation_difference_plot(real, synthetic, metadata, **kwargs).to_svg()


# ---------------------------------------------------------------------------- Augmentation
def augmentation_inputs(seed: int = 0) -> dict:
    """The names the Augmentation example uses: ``values``, ``df`` (species, amount), ``X``/``y`` (carrier), ``images``."""
    import numpy as np
    from sklearn.datasets import load_digits  # shipped with scikit-learn, nothing is downloaded

    from simulacra import load_demo

    rng = np.random.default_rng(seed)
    df = load_demo().dropna().reset_index(drop=True).head(150)
    df["amount"] = rng.gamma(2.0, 50.0, len(df)).round(2)
    n = 300
    X = pd.DataFrame(
        {  # a small flights-like table: a carrier code and two numbers
            "carrier": rng.choice(["AA", "DL", "UA", "WN"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "distance": rng.integers(100, 3000, n),
            "dep_delay": rng.normal(10, 20, n).round(1),
        }
    )
    y = pd.Series(np.where(rng.random(n) < 0.15, "late", "on_time"), name="arrival")
    return {"values": rng.lognormal(size=200), "df": df, "X": X, "y": y, "images": load_digits().images[:32]}


def test_augmentation_example():
    import functools

    import numpy as np

    from simulacra.augment import bootstrap

    (block,) = code_blocks(readme_section("Augmentation"), "python")
    ns = augmentation_inputs()
    inputs = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in ns.items()}
    values = exec_block(block, ns, "Augmentation")
    boot = value_of(values, "bootstrap(")
    low, high = boot.confidence_interval
    assert low < boot.estimate == np.median(inputs["values"]) < high and len(boot.bootstrap_distribution) == 10_000
    # the counting shortcut computes each resample's statistic exactly (on sorted data the resamples
    # are the same; on unsorted data see test_augmentation_bootstrap_shortcut_same_values)
    ordered = np.sort(inputs["values"])
    for fast, general in [
        (np.median, lambda x, axis: np.median(x, axis=axis)),
        (functools.partial(np.quantile, q=0.9), lambda x, axis: np.quantile(x, 0.9, axis=axis)),
    ]:
        np.testing.assert_allclose(
            bootstrap(ordered, fast, n_resamples=2000, seed=1).bootstrap_distribution,
            bootstrap(ordered, general, n_resamples=2000, seed=1).bootstrap_distribution,
        )
    df = inputs["df"]
    drawn = value_of(values, "resample(")
    assert len(drawn) == 1000 and list(drawn.columns) == list(df.columns)
    shares = df["species"].value_counts(normalize=True)
    assert (drawn["species"].value_counts(normalize=True) - shares).abs().max() < 0.01
    X_res, y_res = ns["X_res"], ns["y_res"]
    counts = y_res.value_counts()
    assert counts["late"] == counts["on_time"] == (inputs["y"] == "on_time").sum()
    assert list(X_res.columns) == list(inputs["X"].columns) and X_res.dtypes.equals(inputs["X"].dtypes)
    assert set(X_res["carrier"]) <= set(inputs["X"]["carrier"])
    balanced = value_of(values, 'balance(df, "species"')
    assert balanced["species"].value_counts().nunique() == 1 and list(balanced.columns) == list(df.columns)
    noisy = value_of(values, "add_noise(")
    assert not noisy["amount"].equals(df["amount"]) and noisy.drop(columns="amount").equals(df.drop(columns="amount"))
    images = inputs["images"]
    out = value_of(values, "ImageAugmenter(")
    assert out.shape == images.shape and out.dtype == images.dtype
    assert images.min() <= out.min() and out.max() <= images.max() and not np.array_equal(out, images)


def test_augmentation_bootstrap_shortcut_same_values():
    """README: np.median and partial(np.quantile, q=0.9) 'use a sort-free counting shortcut (same values)'."""
    import numpy as np

    from simulacra.augment import bootstrap

    values = augmentation_inputs()["values"]
    fast = bootstrap(values, np.median, n_resamples=2000, seed=0)
    general = bootstrap(values, lambda x, axis: np.median(x, axis=axis), n_resamples=2000, seed=0)
    np.testing.assert_allclose(fast.bootstrap_distribution, general.bootstrap_distribution)


# ---------------------------------------------------------------------------- CLI reference
def cli_synopsis() -> dict[str, str]:
    """{command: its synopsis line(s)} from the CLI reference's usage block."""
    block = code_blocks(readme_section("CLI reference"), "")[0]  # the usage block comes first
    out: dict[str, str] = {}
    name = None
    for line in block.splitlines():
        if line.startswith("simulacra "):
            name = line.split()[1]
            out[name] = line
        elif line.strip():
            out[name] += " " + line.strip()
    return out


def synopsis_options(line: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))


def test_cli_reference_lists_every_command_and_option():
    from simulacra.cli import cli

    synopsis = cli_synopsis()
    assert set(synopsis) == set(cli.commands), "the CLI reference and the CLI list different commands"
    for name, line in synopsis.items():
        opts = {o for p in cli.commands[name].params for o in p.opts + p.secondary_opts}
        documented = synopsis_options(line)
        assert documented <= opts, f"{name}: README options {sorted(documented - opts)} do not exist"
        hidden = [
            p.opts[0]
            for p in cli.commands[name].params
            if p.opts[0].startswith("-") and p.name != "help" and not set(p.opts + p.secondary_opts) & documented
        ]
        assert not hidden, f"{name}: options {sorted(hidden)} are not in the CLI reference"


# One run of each command, with the README's placeholders (DATA, MODEL, OUT, REAL, SYNTH, SCHEMA...)
# replaced by small real files: penguins rows as DATA/REAL, a model fitted on them, its samples as SYNTH.
CLI_RUNS = [
    "simulacra synthesizers",
    "simulacra demo -n 40 --seed 3 -d demo -s gaussian_copula --param default_distribution=norm",
    "simulacra metadata real.csv -o meta.json --table-name penguins --sep , --overwrite",
    "simulacra fit real.csv -o model.zip --metadata meta.json --synthesizer cart --param min_samples_leaf=3",
    "simulacra fit real.csv -o fast.zip --preset fast --distribution norm --sep , --key-file key.txt",
    "simulacra sample model.zip -n 60 -o synth.csv --seed 1 --batch-size 16 --no-progress",
    "simulacra sample fast.zip -n 30 -o synth.tsv --seed 1 --key-file key.txt",
    "simulacra sample model.zip -n 30 -o synth.parquet --seed 1",
    "simulacra sample model.zip -n 30 -o synth.jsonl --seed 1 --progress --overwrite",
    "simulacra evaluate real.csv synth.csv --metadata meta.json --json",
    "simulacra evaluate real.csv synth.parquet --all-pairs --max-pairs 5 --sep ,",
    "simulacra report real.csv synth.csv -o report.html --metadata meta.json --holdout holdout.csv --target species --max-pairs 10 --sep , --overwrite",
    "simulacra fake person.json -n 30 -o fake.csv --seed 1 --locale de_DE --chunk-size 7 --format csv --no-progress --overwrite",
    "simulacra fake person.json -n 20 --to sqlite:///fake.db --table people --if-exists replace",
    # multi-table: a folder of CSV files (shop/) and the same tables in a SQLite database (shop.db)
    "simulacra metadata shop -o shop_meta.json --tables customers,stores,orders,items",
    "simulacra fit shop -o shop.zip --metadata shop_meta.json --synthesizer gaussian_copula --orphans drop --tables customers,stores,orders,items",
    "simulacra sample shop.zip --scale 0.5 -o shop_copy --format parquet --seed 2",
    "simulacra sample shop.zip --scale 0.5 -o sqlite:///shop_copy.db --if-exists replace --seed 2",
    "simulacra db-synth sqlite:///shop.db sqlite:///db_copy.db --scale 0.5 --tables customers,stores,orders,items --if-exists fail --seed 1 -s gaussian_copula --orphans error --param default_distribution=norm --no-progress",
    # generative: a saved model fills blank cells; a tiny local model (tiny/) writes texts and, served, a table
    "simulacra impute fast.zip real.csv -o imputed.csv --seed 1 --key-file key.txt --sep , --overwrite",
    "simulacra generate-text tiny --prompt 'Review:' --prompts-file prompts.txt --max-new-tokens 6 --temperature 0.8 --top-p 0.9 --seed 1 --batch-size 2 -o texts.csv --overwrite",
    "simulacra prompt-table 'Customer orders' -n 4 --column order_id:id --column 'status:paid|shipped' --model local --base-url URL --seed 1 --batch-size 2 --max-retries 1 --timeout 60 -o orders.csv --overwrite",
]
NEURAL_RUN = (
    "simulacra fit real.csv -o tvae.zip --synthesizer tvae --epochs 1 --param batch_size=20 --param embedding_dim=8"
)


def simulacra_read_database(url):
    from simulacra.io import read_database

    return read_database(url)


def test_cli_reference_runs(tmp_path, monkeypatch):
    import json
    import secrets

    import sqlalchemy as sa

    from simulacra import BaseSynthesizer, CARTSynthesizer, available_synthesizers, load_demo, read_table

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    real = load_demo().sample(160, random_state=0)
    real.iloc[:120].to_csv("real.csv", index=False)
    real.iloc[120:].to_csv("holdout.csv", index=False)
    Path("demo").mkdir()
    Path("key.txt").write_text(secrets.token_hex(32))
    _write_schema_files(tmp_path)  # person.json, as the Fake data section shows it
    from simulacra.io import write_database

    from .multi_table.conftest import integrity, shop

    shop_tables, shop_md = shop(120)
    Path("shop").mkdir()
    for name, df in shop_tables.items():
        df.to_csv(f"shop/{name}.csv", index=False)
    write_database("sqlite:///shop.db", shop_tables, shop_md)
    from simulacra.generative.server import serve
    from simulacra.generative.tiny import make_tiny_model

    make_tiny_model("tiny", kind="causal", train_steps=0)
    Path("prompts.txt").write_text("A kettle:\nA mug:\n")
    server, url = serve("tiny")
    synopsis = cli_synopsis()
    results = {}
    for line in CLI_RUNS:
        args = [url if a == "URL" else a for a in shlex.split(line)]
        used = {a.split("=")[0] for a in args[2:] if a.startswith("-")}
        assert used <= synopsis_options(synopsis[args[1]]), f"{line}: not a shape the CLI reference shows"
        results[line] = run_shell_line(args)
    assert {shlex.split(l)[1] for l in CLI_RUNS} == set(synopsis)
    assert results[CLI_RUNS[0]].output.split() == available_synthesizers()
    assert len(pd.read_csv("demo/synthetic_penguins.csv")) == 40
    assert (
        json.loads(Path("meta.json").read_text())["tables"]["penguins"]["columns"]["species"]["sdtype"] == "categorical"
    )
    assert type(BaseSynthesizer.load("model.zip")) is CARTSynthesizer
    # DATA and OUT may be .csv, .tsv, .parquet or .jsonl
    first = read_table("synth.parquet")
    for name in ("synth.tsv", "synth.jsonl"):
        assert len(read_table(name)) == 30 and list(read_table(name).columns) == list(real.columns)
    assert len(read_table("synth.csv")) == 60 and len(first) == 30
    # same model, seed and batch size, another format: the same rows
    pd.testing.assert_frame_equal(first, read_table("synth.jsonl"), check_dtype=False)
    scores = json.loads(results[CLI_RUNS[9]].output)
    assert 0 <= scores["overall"] <= 1 and set(scores["properties"]) == {"Column Shapes", "Column Pair Trends"}
    page = Path("report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html") and "<svg" in page
    assert len(pd.read_csv("fake.csv")) == 30
    eng = sa.create_engine("sqlite:///fake.db")
    with eng.connect() as c:
        assert len(pd.read_sql_table("people", c)) == 20
    eng.dispose()
    # multi-table: every foreign key of each copy is a key of its parent, in files and databases
    from simulacra import Metadata

    server.shutdown()
    imputed, blank = read_table("imputed.csv"), pd.read_csv("real.csv")
    assert blank.isna().any().any() and imputed[list(blank.columns)].notna().all().all()
    assert (imputed[blank.notna()] == blank[blank.notna()]).sum().sum() == blank.notna().sum().sum()
    assert len(pd.read_csv("texts.csv")) == 3
    orders = pd.read_csv("orders.csv")
    assert len(orders) == 4 and set(orders["status"]) <= {"paid", "shipped"} and orders["order_id"].is_unique
    copy = {name: pd.read_parquet(f"shop_copy/{name}.parquet") for name in shop_tables}
    assert all(v == 1.0 for v in integrity(copy, shop_md).values())
    assert abs(len(copy["orders"]) - 0.5 * len(shop_tables["orders"])) < 0.2 * len(shop_tables["orders"])
    for url in ("sqlite:///shop_copy.db", "sqlite:///db_copy.db"):
        md = Metadata.detect_from_database(url)
        assert len(md.relationships) == 3  # written as real FOREIGN KEY constraints
        tables = simulacra_read_database(url)
        assert all(v == 1.0 for v in integrity(tables, md).values())
    # Outputs: an existing output is refused without --overwrite, on one 'error:' line, exit status 1
    from simulacra.cli import cli

    refused = CliRunner().invoke(cli, shlex.split(CLI_RUNS[5])[1:])
    assert refused.exit_code == 1 and refused.output.startswith("error:") and "--overwrite" in refused.output
    # --key-file: a signed model is refused under another key
    Path("other.txt").write_text(secrets.token_hex(32))
    wrong = CliRunner().invoke(cli, ["sample", "fast.zip", "-n", "5", "-o", "x.csv", "--key-file", "other.txt"])
    assert wrong.exit_code == 1 and wrong.output.startswith("error:") and not Path("x.csv").exists()


def test_cli_reference_fit_epochs(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from simulacra import BaseSynthesizer, TVAESynthesizer, load_demo

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    load_demo().head(60).to_csv("real.csv", index=False)
    args = shlex.split(NEURAL_RUN)
    assert {a for a in args if a.startswith("--")} <= synopsis_options(cli_synopsis()["fit"])
    run_shell_line(args)
    model = BaseSynthesizer.load("tvae.zip")
    assert type(model) is TVAESynthesizer and model.epochs == 1 and model.embedding_dim == 8
    assert len(model.sample(10, seed=0)) == 10


# ---------------------------------------------------------------------------- Model files
def test_model_files_signing(tmp_path, monkeypatch):
    import subprocess
    import sys
    import zipfile

    from simulacra import GaussianCopulaSynthesizer, Metadata, load_demo
    from simulacra.errors import ModelFileError, SimulacraError

    text = readme_section("Model files")
    para = text[text.index("**Signed models.**") :].split("\n\n")[0]
    spans = re.findall(r"`([^`]+)`", para)
    (keygen,) = [s for s in spans if s.startswith("python -c")]
    save = next(s for s in spans if s.startswith("synth.save("))
    load = next(s for s in spans if s.startswith("Synthesizer.load("))
    # the key-making one-liner, run with this interpreter
    secret = subprocess.run(
        [sys.executable, *shlex.split(keygen)[1:]], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    real = load_demo().head(100)
    synth = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(real)).fit(real)
    ns = {"synth": synth, "secret": secret, "Synthesizer": GaussianCopulaSynthesizer}
    eval(save, ns)  # synth.save("m.zip", key=secret)
    rows = synth.sample(20, seed=0)
    pd.testing.assert_frame_equal(eval(load, ns).sample(20, seed=0), rows)  # Synthesizer.load("m.zip", key=secret)
    assert "signature" in zipfile.ZipFile("m.zip").read("manifest.json").decode()
    # a signed file still loads without a key, on its checksum alone
    pd.testing.assert_frame_equal(GaussianCopulaSynthesizer.load("m.zip").sample(20, seed=0), rows)
    # loading with a key refuses another key and unsigned files
    with pytest.raises(ModelFileError):
        GaussianCopulaSynthesizer.load("m.zip", key="another secret of 32 bytes......")
    synth.save("unsigned.zip")
    with pytest.raises(ModelFileError):
        GaussianCopulaSynthesizer.load("unsigned.zip", key=secret)
    # SIMULACRA_MODEL_KEY is used by save and load
    monkeypatch.setenv("SIMULACRA_MODEL_KEY", secret)
    synth.save("env.zip")
    with pytest.raises(ModelFileError):
        GaussianCopulaSynthesizer.load("unsigned.zip")
    pd.testing.assert_frame_equal(GaussianCopulaSynthesizer.load("env.zip", key=secret).sample(20, seed=0), rows)
    monkeypatch.setenv("SIMULACRA_MODEL_KEY", "another secret of 32 bytes......")
    with pytest.raises(ModelFileError):
        GaussianCopulaSynthesizer.load("env.zip")
    # a secret shorter than 16 bytes is refused
    with pytest.raises(SimulacraError):
        synth.save("short.zip", key="too short")
    assert not Path("short.zip").exists()


def test_model_files_size_limit(tmp_path, monkeypatch):
    """``SIMULACRA_MAX_MODEL_BYTES=8G`` loads bigger models; a limit below the model's arrays refuses it."""
    from simulacra import GaussianCopulaSynthesizer, Metadata, load_demo
    from simulacra.errors import ModelFileError

    text = readme_section("Model files")
    (setting,) = re.findall(r"`(SIMULACRA_MAX_MODEL_BYTES=\w+)`", text)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    real = load_demo().head(100)
    GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(real)).fit(real).save(tmp_path / "m.zip")
    monkeypatch.setenv(*setting.split("="))
    assert len(GaussianCopulaSynthesizer.load(tmp_path / "m.zip").sample(5, seed=0)) == 5
    monkeypatch.setenv("SIMULACRA_MAX_MODEL_BYTES", "16")
    with pytest.raises(ModelFileError, match="SIMULACRA_MAX_MODEL_BYTES"):
        GaussianCopulaSynthesizer.load(tmp_path / "m.zip")


# ---------------------------------------------------------------------------- Architecture
def test_architecture_layers_are_the_import_contract():
    """The layer diagram shows every layer of the contract CI checks (.importlinter), in its order."""
    (diagram,) = code_blocks(readme_section("Architecture"), "text")
    shown = [re.split(r"[|,]", line.split("  ")[0]) for line in diagram.splitlines() if line.strip()]
    shown = [[p.strip() for p in line] for line in shown]
    config = (README.parent / ".importlinter").read_text(encoding="utf-8")
    body = config.split("[importlinter:contract:layers]")[1].split("layers =")[1].split("\n[")[0]
    contract = [[p.strip() for p in line.split("|")] for line in body.splitlines() if line.strip()]
    contract = [layer for layer in contract if not layer[0].startswith("#") and layer != ["__main__"]]
    index = {p: i for i, layer in enumerate(contract) for p in layer}
    levels = [[index[p] for p in line] for line in shown]  # a KeyError: the diagram shows a part the contract lacks
    assert all(max(a) < min(b) for a, b in zip(levels, levels[1:])), (
        "the diagram's lines are not in the contract's order"
    )
    assert set(index) - {"_version"} <= {p for line in shown for p in line}, "a layer of the contract is not shown"
    for line, lv in zip(shown[:-1], levels[:-1]):
        assert len(set(lv)) == 1, f"{line}: parts on one line must be one layer of the contract"


def test_architecture_named_modules_exist():
    text = readme_section("Architecture")
    root = README.parent
    for name in re.findall(r"`((?:synthesizers|transforms|sampling|tests/synthesizers)/[\w/]+\.py)`", text):
        path = root / name if name.startswith("tests/") else root / "simulacra" / name
        assert path.exists(), name
    for name in ("inputs.py", "fitting.py", "sampler.py", "persistence.py"):
        assert (root / "simulacra" / "synthesizers" / name).exists(), name


@pytest.mark.parametrize("seed", [0, 3])
def test_architecture_example(seed, capsys):
    """The plan / sample_batch / Condition / relationships example runs as written, for other seeds too."""
    (block,) = code_blocks(readme_section("Architecture"), "python")
    exec(compile(block, "README.md (Architecture)", "exec"), {})
    assert "['users', 'visits'] user_id" in capsys.readouterr().out
    changed = block.replace("seed=7", f"seed={seed}")
    exec(compile(changed, "README.md (Architecture)", "exec"), {})
