import json

import pandas as pd
import pytest
from click.testing import CliRunner

from simulacra.cli import cli as main
from simulacra.errors import SchemaError
from simulacra.fake import Fake
from simulacra.fake.schema import Schema
from simulacra.io import read_table

SCHEMA = {
    "tables": {
        "customers": {
            "rows": 300,
            "primary_key": "customer_id",
            "columns": {
                "customer_id": {"provider": "sequence", "start": 1},
                "name": "person.full_name",
                "email": {"provider": "internet.email", "from": "name", "unique": True},
                "city": "address.city",
                "born": {"provider": "person.birthdate", "nulls": 0.2},
                "vip": {"provider": "basic.boolean", "probability": 0.1},
                "tier": {"provider": "basic.choice", "values": ["gold", "silver"], "weights": [1, 3]},
            },
        },
        "orders": {
            "rows": 2000,
            "primary_key": "order_id",
            "columns": {
                "order_id": {"provider": "codes.uuid4", "unique": True},
                "customer_id": {"foreign_key": "customers.customer_id"},
                "amount": {"provider": "finance.price", "minimum": 5, "maximum": 500, "nulls": 0.05},
                "ordered": {"provider": "datetime.datetime", "start": "2023-01-01", "end": "2024-12-31"},
                "label": {"template": "C{customer_id}/{order_id}"},
            },
        },
    }
}


def test_table_generation():
    out = Fake(seed=1).table(SCHEMA)
    c, o = out["customers"], out["orders"]
    assert len(c) == 300 and len(o) == 2000
    assert c["customer_id"].tolist() == list(range(1, 301))
    assert c["email"].is_unique and o["order_id"].is_unique
    assert abs(c["born"].isna().mean() - 0.2) < 0.08
    assert o["customer_id"].isin(c["customer_id"]).all()
    assert (o["label"] == "C" + o["customer_id"].astype(str) + "/" + o["order_id"]).all()
    assert abs((c["tier"] == "gold").mean() - 0.25) < 0.07
    # same seed, same tables
    again = Fake(seed=1).table(SCHEMA)
    pd.testing.assert_frame_equal(again["orders"], o)


def test_single_table_shorthand():
    df = Fake(seed=0).table({"name": "full_name", "email": {"provider": "email", "from": "name"}}, n=10)
    assert list(df.columns) == ["name", "email"] and len(df) == 10


@pytest.mark.parametrize(
    "schema, match",
    [
        ({"a": "no_such_provider"}, "unknown field 'no_such_provider'"),
        ({"a": {"provider": "basic.integer", "maximm": 3}}, "bad option"),
        ({"a": {"template": "{b}"}, "b": {"template": "{a}"}}, "cycle: a -> b -> a"),
        ({"a": {"provider": "email", "nulls": 2}}, "nulls must be a share"),
        ({"a": {"template": "{zz}"}}, "column 'zz'"),
        ({"tables": {"t": {"columns": {"a": {"foreign_key": "u.id"}}}}}, "table 'u'"),
        ({"a": {"provider": "city", "from": "b"}, "b": "email"}, "cannot be derived"),
        ({}, "empty"),
    ],
)
def test_invalid_schemas(schema, match):
    with pytest.raises(SchemaError, match=match):
        Fake(seed=0).table(schema, n=5)


def test_cli_files_streamed_and_atomic(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"columns": {"id": {"provider": "sequence"}, "name": "full_name", "email": {"provider": "email", "unique": True}}}))
    out = tmp_path / "people.parquet"
    r = CliRunner().invoke(main, ["fake", str(path), "-n", "25000", "-o", str(out), "--seed", "3", "--chunk-size", "7000"])
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(out)
    assert len(df) == 25000 and df["id"].tolist() == list(range(1, 25001))
    assert df["email"].is_unique  # unique across chunks
    r2 = CliRunner().invoke(main, ["fake", str(path), "-n", "25000", "-o", str(tmp_path / "p.csv"), "--seed", "3", "--chunk-size", "7000"])
    assert r2.exit_code == 0
    assert read_table(tmp_path / "p.csv")["email"].tolist() == df["email"].tolist()
    # bad input: nothing written
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"columns": {"a": "nope"}}))
    r3 = CliRunner().invoke(main, ["fake", str(bad), "-n", "5", "-o", str(tmp_path / "x.csv")])
    assert r3.exit_code == 1 and "unknown field 'nope'" in r3.output
    assert not (tmp_path / "x.csv").exists()
    r4 = CliRunner().invoke(main, ["fake", str(path), "-n", "-3", "-o", str(tmp_path / "y.csv")])
    assert r4.exit_code != 0 and not (tmp_path / "y.csv").exists()
    r5 = CliRunner().invoke(main, ["fake", str(path), "-n", "5", "-o", str(tmp_path / "no" / "y.csv")])
    assert r5.exit_code == 1 and "does not exist" in r5.output


def test_yaml_schema(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("columns:\n  who: person.full_name\n  when: {provider: datetime.date, start: 2021-01-01, end: 2021-12-31}\n")
    df = Fake(seed=1).table(Schema.from_file(path), n=5)
    assert list(df.columns) == ["who", "when"]
    bad = tmp_path / "b.yaml"
    bad.write_text("columns: [unclosed\n")
    with pytest.raises(SchemaError, match="not valid YAML"):
        Schema.from_file(bad)


# ---------------------------------------------------------------- unique columns derived with 'from' (#11)
def _same_name_schema(rows, unique_template=False):
    cols = {
        "id": {"provider": "sequence"},
        "name": {"template": "Ann Lee"},  # one name for every row: e-mails collide all the time
        "email": {"provider": "internet.email", "from": "name", "unique": True},
    }
    if unique_template:
        cols["tag"] = {"template": "{name}", "unique": True}
    return {"columns": cols, "rows": rows}


@pytest.mark.parametrize("chunk_size", [10**9, 37])
def test_unique_email_from_name_redraws_only_duplicate_rows(chunk_size):
    # regression: 'email(name=...) got 1000 names for 2 rows' when duplicates were re-drawn
    sch = Schema.from_dict(_same_name_schema(200))
    for seed in range(3):
        df = pd.concat([c for _, chunks in sch.iter_tables(seed=seed, chunk_size=chunk_size) for c in chunks], ignore_index=True)
        assert len(df) == 200 and df["email"].is_unique
        # every e-mail, first draw or re-drawn, still comes from its own row's name
        assert df["email"].str.split("@").str[0].str.contains("lee").all()


def test_unique_email_from_varied_names_keeps_row_alignment():
    sch = Schema.from_dict(SCHEMA)
    for seed in range(8):
        t = sch.generate(seed=seed)["customers"]
        assert t["email"].is_unique
        last = t["name"].str.split().str[-1].str.lower().str.replace(r"[^a-z]", "", regex=True)
        local = t["email"].str.split("@").str[0]
        assert all(l in e for l, e in zip(last, local))


def test_unique_template_that_cannot_vary_is_a_clear_error():
    with pytest.raises(SchemaError, match="'tag'.*distinct"):
        Schema.from_dict(_same_name_schema(5, unique_template=True)).generate(seed=0)


def test_api_unique_email_with_names_and_mixed_locales():
    fake = Fake(seed=3)
    e = fake.internet.email(n=300, name=["Ann Lee"] * 300, unique=True)
    assert e.is_unique and e.str.contains("lee").all()
    names = pd.Series(["Ann Lee", "Bob Stone"] * 100)
    for locale in ("en_US", {"en_US": 0.5, "de_DE": 0.5}):
        e = fake.person.email(n=200, name=names, unique=True, locale=locale)
        local = e.str.split("@").str[0]
        assert e.is_unique
        assert local[::2].str.contains("lee").all() and local[1::2].str.contains("stone").all()


@pytest.mark.parametrize(
    "schema, match",
    [
        ({"tables": {"": {"columns": {"a": "email"}}}}, "table name '' is empty"),
        ({"tables": {"t\x00": {"columns": {"a": "email"}}}}, "control character"),
        ({"columns": {"a\nb": "email"}}, "column name 'a\\\\nb' contains the control character"),
        ({"columns": {"  ": "email"}}, "empty"),
    ],
)
def test_names_every_sink_can_hold(schema, match):
    with pytest.raises(SchemaError, match=match):
        Schema.from_dict(schema)


@pytest.mark.parametrize("name", ["../escaped", "/tmp/absolute", "a/b", "..", "a\\\\b"])
def test_cli_folder_output_refuses_table_names_that_are_paths(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"tables": {name: {"rows": 3, "columns": {"id": "sequence"}}, "b": {"rows": 2, "columns": {"id": "sequence"}}}}))
    r = CliRunner().invoke(main, ["fake", str(schema), "-o", str(out)])
    assert r.exit_code == 1 and "cannot be a file name" in r.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out", "s.json"]
