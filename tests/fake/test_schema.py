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
    path.write_text(
        json.dumps(
            {
                "columns": {
                    "id": {"provider": "sequence"},
                    "name": "full_name",
                    "email": {"provider": "email", "unique": True},
                }
            }
        )
    )
    out = tmp_path / "people.parquet"
    r = CliRunner().invoke(
        main, ["fake", str(path), "-n", "25000", "-o", str(out), "--seed", "3", "--chunk-size", "7000"]
    )
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(out)
    assert len(df) == 25000 and df["id"].tolist() == list(range(1, 25001))
    assert df["email"].is_unique  # unique across chunks
    r2 = CliRunner().invoke(
        main, ["fake", str(path), "-n", "25000", "-o", str(tmp_path / "p.csv"), "--seed", "3", "--chunk-size", "7000"]
    )
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
    path.write_text(
        "columns:\n  who: person.full_name\n  when: {provider: datetime.date, start: 2021-01-01, end: 2021-12-31}\n"
    )
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
        df = pd.concat(
            [c for _, chunks in sch.iter_tables(seed=seed, chunk_size=chunk_size) for c in chunks], ignore_index=True
        )
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
    schema.write_text(
        json.dumps(
            {
                "tables": {
                    name: {"rows": 3, "columns": {"id": "sequence"}},
                    "b": {"rows": 2, "columns": {"id": "sequence"}},
                }
            }
        )
    )
    r = CliRunner().invoke(main, ["fake", str(schema), "-o", str(out)])
    assert r.exit_code == 1 and "cannot be a file name" in r.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out", "s.json"]


# ---------------------------------------------------------------- option validation (issue #11)
def _col(spec):
    return {"tables": {"t": {"rows": 3, "columns": {"c": spec}}}}


@pytest.mark.parametrize(
    "spec, option, match",
    [
        ({"provider": "sequence", "start": "abc"}, "start", "whole number"),
        ({"provider": "sequence", "start": "9" * 5_000_000}, "start", r"5,000,002 characters"),
        ({"provider": "sequence", "start": 1.5}, "start", "not a fraction"),
        ({"provider": "sequence", "step": True}, "step", "whole number"),
        ({"provider": "sequence", "step": 0}, "step", "must not be 0"),
        ({"provider": "sequence", "stop": 3}, "stop", "no such option"),
        ({"provider": "finance.price", "minimum": float("nan")}, "minimum", "finite number"),
        ({"provider": "finance.price", "maximum": float("inf")}, "maximum", "finite number"),
        ({"provider": "finance.price", "maximum": "999"}, "maximum", "remove the quotes"),
        ({"provider": "finance.price", "minimum": 10**400}, "minimum", "finite number"),
        ({"provider": "finance.price", "minimum": 2000}, "minimum", r"larger than maximum 1000.0 \(the default\)"),
        ({"provider": "finance.price", "minimum": -1e308, "maximum": 1e308}, "minimum..maximum", "wider than a float"),
        ({"provider": "datetime.date", "end": "99999-01-01"}, "end", "years 1 to 9999"),
        ({"provider": "datetime.date", "start": 2020}, "start", "date like"),
        ({"provider": "datetime.date", "start": "NaT"}, "start", "date like"),
        ({"provider": "datetime.date", "start": "2021-01-01", "end": "2020-01-01"}, "start", "larger than end"),
        ({"provider": "datetime.year", "maximum": 20000}, "maximum", "1 to 9,999"),
        ({"provider": "basic.integer", "maximum": 10**20}, "maximum", "fits 64 bits"),
        ({"provider": "basic.boolean", "probability": 2}, "probability", "from 0 to 1"),
        ({"provider": "basic.choice"}, "values", "needs option 'values'"),
        ({"provider": "basic.choice", "values": []}, "values", "non-empty list"),
        ({"provider": "basic.choice", "values": ["a", ["b"]]}, "values", "list of texts"),
        ({"provider": "basic.choice", "values": ["a", "b"], "weights": [1, float("nan")]}, "weights", "finite number"),
        ({"provider": "basic.choice", "values": ["a", "b"], "weights": [1]}, "weights", "one weight per value"),
        ({"provider": "text.words", "quantity": 10**8}, "quantity", "1 to 1,000"),
        ({"provider": "person.full_name", "gender": 3}, "gender", "'male', 'female'"),
        ({"provider": "internet.ipv4", "private": "yes"}, "private", "true or false"),
        ({"provider": "internet.email", "name": "bob"}, "name", "from: <column>"),
        ({"provider": "email", "nulls": "abc"}, "nulls", "share between 0 and 1"),
        ({"provider": "email", "nulls": True}, "nulls", "share between 0 and 1"),
        ({"provider": "email", "unique": "no"}, "unique", "true or false"),
        ({"provider": "email", "locale": "xx_YY"}, "locale", "unknown locale"),
        ({"provider": "email", "from": ["a"]}, "from", "name of another column"),
        ({"template": "x", "start": 3}, "start", "takes no option"),
        ({"provider": "person.birthdate", "reference": "0050-01-01"}, "reference", "before the year 1"),
    ],
)
def test_every_option_is_checked_when_the_schema_is_read(spec, option, match):
    with pytest.raises(SchemaError, match=match) as e:
        Schema.from_dict(_col(spec))
    msg = str(e.value)
    assert "table 't', column 'c'" in msg and option in msg
    assert len(msg) < 800  # a huge value is not echoed whole


def test_good_options_are_kept_and_normalized():
    import datetime as dt

    df = Schema.from_dict(
        {
            "columns": {
                "s": {"provider": "sequence", "start": 2.0, "step": -3},
                "p": {"provider": "finance.price", "minimum": 5, "maximum": 6},
                "d": {"provider": "datetime.date", "start": dt.date(2020, 1, 1), "end": "2020-01-03"},
                "y": {"provider": "datetime.year", "minimum": 1, "maximum": 9999},
                "c": {"provider": "basic.choice", "values": ["a", "b"], "weights": None},
                "n": {"provider": "email", "nulls": None, "locale": {"en_US": 1, "de_DE": 1}},
                "b": {"provider": "person.birthdate", "reference": "1970-01-01", "maximum_age": 30},
            }
        }
    ).generate(n=4, seed=1)
    assert pd.to_datetime(df["b"]).between("1939-01-01", "1952-01-01").all()  # 1970-01-01 is a reference, not "none"
    assert df["s"].tolist() == [2, -1, -4, -7]
    assert df["p"].between(5, 6).all()
    assert set(pd.to_datetime(df["d"]).dt.day) <= {1, 2, 3}
    assert df["y"].between(1, 9999).all()


def test_sequence_must_fit_int64():
    top = 2**63 - 1
    with pytest.raises(
        SchemaError, match=r"column 'c': a sequence from 9,223,372,036,854,775,807 .* over 3 rows .*64-bit"
    ):
        Schema.from_dict(_col({"provider": "sequence", "start": top})).generate(seed=0)
    with pytest.raises(SchemaError, match="64-bit"):
        Schema.from_dict(_col({"provider": "sequence", "start": -top, "step": -2})).generate(seed=0)
    df = Schema.from_dict(_col({"provider": "sequence", "start": top - 2})).generate(seed=0)
    assert df["c"].tolist() == [top - 2, top - 1, top]  # the last value that fits, not wrapped
    # the rows come from -n for a one-table schema: 2 rows fit, 3 do not
    sch = Schema.from_dict({"columns": {"c": {"provider": "sequence", "start": top - 1}}})
    assert sch.generate(n=2, seed=0)["c"].tolist() == [top - 1, top]
    with pytest.raises(SchemaError, match="64-bit"):
        sch.generate(n=3, seed=0)


@pytest.mark.parametrize(
    "text, match",
    [
        ('columns: {x: {provider: sequence, start: "abc"}}\n', "option 'start' must be a whole number"),
        ("columns: {x: {provider: sequence, start: 9223372036854775807}}\n", "64-bit"),
        ("columns: {x: {provider: sequence, start: 1.5}}\n", "not a fraction"),
        ("columns: {x: {provider: finance.price, minimum: .nan}}\n", "option 'minimum' must be a finite number"),
        ("columns: {x: {provider: finance.price, maximum: .inf}}\n", "option 'maximum' must be a finite number"),
        ('columns: {x: {provider: finance.price, maximum: "999"}}\n', "option 'maximum'"),
        ('columns: {x: {provider: datetime.date, end: "99999-01-01"}}\n', "years 1 to 9999"),
        ("columns: {x: name}\ncolumns: {y: name}\n", "duplicate key 'columns' \\(line 2\\)"),
    ],
)
def test_cli_fake_bad_option_is_one_line_and_no_file(tmp_path, text, match):
    import re

    s = tmp_path / "s.yaml"
    s.write_text(text)
    out = tmp_path / "o.csv"
    r = CliRunner().invoke(main, ["fake", str(s), "-n", "3", "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and re.search(match, r.output), r.output
    assert not out.exists() and not list(tmp_path.glob(".o.csv*"))


def test_cli_fake_huge_quoted_start(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text('columns: {x: {provider: sequence, start: "' + "9" * 5_000_000 + '"}}\n')
    r = CliRunner().invoke(main, ["fake", str(s), "-n", "3", "-o", str(tmp_path / "o.csv")])
    assert r.exit_code == 1 and "option 'start'" in r.output and len(r.output) < 500
    assert not (tmp_path / "o.csv").exists()


def test_cli_fake_empty_table_name_refused(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text("columns: {x: name}\n")
    db = tmp_path / "d.db"
    for name in ("", "  "):
        r = CliRunner().invoke(main, ["fake", str(s), "-n", "3", "--to", f"sqlite:///{db}", "--table", name])
        assert r.exit_code == 1 and "--table gives an empty table name" in r.output, r.output
    assert not db.exists()


@pytest.mark.parametrize(
    "text, match",
    [
        ('{"columns": {"a": "name"}, "columns": {"b": "name"}}', "duplicate key 'columns'"),
        ('{"columns": {"a": "name", "a": "email"}}', "duplicate key 'a'"),
        ('{"columns": {"a": {"provider": "finance.price", "minimum": NaN}}}', "NaN"),
        ('{"columns": {"a": {"provider": "finance.price", "maximum": Infinity}}}', "Infinity"),
    ],
)
def test_schema_json_duplicates_and_nan_refused(tmp_path, text, match):
    p = tmp_path / "s.json"
    p.write_text(text)
    with pytest.raises(SchemaError, match=f"schema file .*{match}"):
        Schema.from_file(p)


def test_schema_yaml_duplicates_refused_merges_kept(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("columns:\n  a: name\n  b: email\n  a: city\n")
    with pytest.raises(SchemaError, match=r"duplicate key 'a' \(line 4\)"):
        Schema.from_file(p)
    p.write_text("base: &p {provider: finance.price, minimum: 1, maximum: 2}\ncolumns:\n  a: {<<: *p, maximum: 3}\n")
    with pytest.raises(SchemaError):  # 'base' is not a table key: merges parse, the schema says what is wrong
        Schema.from_file(p)
    p.write_text(
        "tables:\n  t:\n    rows: 2\n    columns:\n      a: &p {provider: finance.price, minimum: 1, maximum: 2}\n      b: {<<: *p, maximum: 3}\n"
    )
    assert Schema.from_file(p).tables["t"].columns["b"].options == {"minimum": 1.0, "maximum": 3.0}


def test_table_keys_of_the_wrong_type_are_schema_errors():
    with pytest.raises(SchemaError, match="table 't': primary_key must be the name of one column"):
        Schema.from_dict({"tables": {"t": {"primary_key": ["a"], "columns": {"a": "name"}}}})
    with pytest.raises(SchemaError, match="'name' must be a table name"):
        Schema.from_dict({"name": None, "columns": {"a": "name"}})
    with pytest.raises(SchemaError, match="table 't': option 'locale'"):
        Schema.from_dict({"tables": {"t": {"locale": 5, "columns": {"a": "name"}}}})


# --------------------------------------------------------------- keys as names, template braces (audit2 4, 11e)
@pytest.mark.parametrize(
    "text, match",
    [
        (
            'columns:\n  1: {provider: sequence}\n  "1": {provider: sequence, start: 50}\n',
            "column keys 1 and '1' both give the name '1'",
        ),
        (
            'columns:\n  "True": {provider: sequence}\n  x: {provider: sequence}\n  true: {provider: sequence}\n',
            "column key True",
        ),
        ("columns:\n  on: {provider: sequence}\n", "quote it"),
        ("columns:\n  ~: {provider: sequence}\n", "column key None"),
        (
            'tables:\n  1: {columns: {x: {provider: sequence}}}\n  "1": {columns: {x: {provider: sequence}}}\n',
            "table keys 1 and '1' both give the name '1'",
        ),
    ],
)
def test_yaml_keys_that_become_one_name_are_refused(tmp_path, text, match):
    pytest.importorskip("yaml")
    p = tmp_path / "k.yaml"
    p.write_text(text)
    with pytest.raises(SchemaError, match=match):
        Schema.from_file(p)
    r = CliRunner().invoke(main, ["fake", str(p), "-n", "2", "-o", str(tmp_path / "k.csv")])
    assert r.exit_code == 1 and match.split(" both")[0] in r.output
    assert not (tmp_path / "k.csv").exists()


def test_number_keys_are_names_as_text():
    df = Schema.from_dict({"columns": {1: {"provider": "sequence"}, 2.5: {"template": "n{1}"}}}).generate(n=2, seed=0)
    assert list(df.columns) == ["1", "2.5"] and df["2.5"].tolist() == ["n1", "n2"]
    with pytest.raises(SchemaError, match="keys 1 and '1'"):
        Schema.from_dict({1: "sequence", "1": "sequence"})


@pytest.mark.parametrize("template, token", [("{x", "'{'"), ("a}", "'}'"), ("{x}{", "'{'"), ("{}", "'{'")])
def test_template_with_an_unmatched_brace_is_refused(template, token):
    with pytest.raises(SchemaError, match=rf"column 'y': template .* has an unmatched {token}"):
        Schema.from_dict({"columns": {"x": "sequence", "y": {"template": template}}})


def test_template_doubled_braces_are_literal():
    df = Schema.from_dict(
        {"columns": {"x": "sequence", "y": {"template": "{{{x}}}-{{x}}"}, "z": {"template": "{{}}"}}}
    ).generate(n=2, seed=0)
    assert df["y"].tolist() == ["{1}-{x}", "{2}-{x}"] and df["z"].tolist() == ["{}", "{}"]
