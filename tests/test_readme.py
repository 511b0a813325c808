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
