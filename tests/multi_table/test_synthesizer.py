"""RelationalSynthesizer: keys intact, cardinality and values follow the parents, scale, seeds, files."""

import numpy as np
import pandas as pd
import pytest

import simulacra
from simulacra.errors import InvalidDataError, MetadataError, ModelFileError, NotFittedError, ParameterError
from simulacra.multi_table import HMASynthesizer, RelationalSynthesizer

from .conftest import employees, integrity, shop


@pytest.fixture(scope="module")
def fitted(shop_data):
    tables, md = shop_data
    return RelationalSynthesizer(md).fit(tables), tables, md


@pytest.fixture(scope="module")
def sample(fitted):
    synth, _, _ = fitted
    return synth.sample(seed=3)


def test_names_sdv_users_know():
    assert HMASynthesizer is RelationalSynthesizer
    assert simulacra.HMASynthesizer is RelationalSynthesizer


def test_every_key_intact_and_tables_as_given(fitted, sample):
    _, tables, md = fitted
    assert set(sample) == set(tables)
    for name, df in sample.items():
        assert list(df.columns) == list(tables[name].columns)
        pk = md.tables[name]["primary_key"]
        assert df[pk].is_unique and df[pk].notna().all()
    assert all(v == 1.0 for v in integrity(sample, md).values())
    md.validate_data(sample)  # the metadata's own referential check agrees


def test_sizes_follow_the_real_tables(fitted, sample):
    _, tables, _ = fitted
    for name in tables:
        assert abs(len(sample[name]) - len(tables[name])) <= 0.25 * len(tables[name]) + 2, name


def test_cardinality_follows_the_parent(fitted, sample):
    """Gold customers place about four times as many orders as basic ones, in the real data and the copy."""
    _, tables, _ = fitted

    def orders_per_segment(t):
        n = t["orders"].groupby("customer_id").size()
        c = t["customers"].set_index("customer_id")
        per = n.reindex(c.index).fillna(0)
        return per.groupby(c["segment"]).mean()

    real, syn = orders_per_segment(tables), orders_per_segment(sample)
    assert syn["gold"] > 2.5 * syn["basic"]
    assert abs(syn["gold"] - real["gold"]) < 0.35 * real["gold"]
    # customers with no order exist in both
    has = sample["customers"].customer_id.isin(sample["orders"].customer_id).mean()
    assert 0.5 < has < 0.95


def test_child_values_follow_the_parent(fitted, sample):
    """Order totals grow with the customer's income, across the join, as in the real data."""
    _, tables, _ = fitted

    def corr(t):
        j = t["orders"].merge(t["customers"], on="customer_id")
        return np.corrcoef(np.log(j["income"]), np.log(j["total"]))[0, 1]

    assert corr(tables) > 0.7
    assert corr(sample) > 0.6


def test_grandchildren_follow_their_parent(fitted, sample):
    _, tables, _ = fitted

    def corr(t):
        n = t["items"].groupby("order_id").size().rename("n")
        j = t["orders"].set_index("order_id").join(n)
        return np.corrcoef(j["total"], j["n"])[0, 1]

    assert corr(sample) > 0.5 * corr(tables) > 0.2


def test_secondary_key_keeps_each_parents_share(fitted, sample):
    """Orders link to stores in proportion to what each store's model asks for (store S2 is the busiest)."""
    _, tables, _ = fitted
    real = tables["orders"].store_id.value_counts(normalize=True)
    syn = sample["orders"].store_id.value_counts(normalize=True)
    assert len(syn) >= 2
    assert syn.max() == pytest.approx(real.max(), abs=0.2)


def test_same_seed_same_tables_other_seed_other_tables(fitted):
    synth, _, _ = fitted
    a, b, c = synth.sample(seed=5), synth.sample(seed=5), synth.sample(seed=6)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["orders"].equals(c["orders"])


def test_scale_makes_a_smaller_or_bigger_database_of_the_same_shape(fitted):
    synth, tables, md = fitted
    small, big = synth.sample(scale=0.25, seed=1), synth.sample_scale(scale=2.0, seed=1)
    for name in ("customers", "orders", "items"):
        assert len(small[name]) == pytest.approx(0.25 * len(tables[name]), rel=0.35)
        assert len(big[name]) == pytest.approx(2.0 * len(tables[name]), rel=0.25)
    assert all(v == 1.0 for v in integrity(big, md).values())
    with pytest.raises(ParameterError, match="scale"):
        synth.sample(scale=0)


def test_save_and_load_give_the_same_tables(fitted, tmp_path):
    synth, _, _ = fitted
    path = tmp_path / "shop.zip"
    synth.save(path)
    back = RelationalSynthesizer.load(path)
    a, b = synth.sample(seed=9), back.sample(seed=9)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert back.get_info()["tables"].keys() == synth.get_info()["tables"].keys()


def test_a_crafted_plan_is_refused(fitted, tmp_path):
    import json
    import zipfile

    synth, _, _ = fitted
    path = tmp_path / "shop.zip"
    synth.save(path)
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        arrays = z.read("arrays.npz")
    manifest["state"]["plan"]["tables"]["orders"]["context"] = ["../../etc/passwd"]
    from simulacra.io.modelfile import _canonical

    import hashlib

    manifest.pop("checksum")
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("arrays.npz", arrays)
    with pytest.raises(ModelFileError, match="invalid plan"):
        RelationalSynthesizer.load(bad)


def test_not_fitted_and_bad_parameters():
    tables, md = shop(60)
    with pytest.raises(NotFittedError):
        RelationalSynthesizer(md).sample()
    with pytest.raises(ParameterError, match="orphans"):
        RelationalSynthesizer(md, orphans="ignore")
    with pytest.raises(ParameterError, match="unknown synthesizer"):
        RelationalSynthesizer(md, synthesizer="nope")
    with pytest.raises(ParameterError, match="Metadata"):
        RelationalSynthesizer({"tables": {}})


def test_any_single_table_synthesizer_per_table():
    tables, md = shop(80)
    synth = RelationalSynthesizer(md, synthesizer="gaussian_copula")
    synth.set_table_synthesizer("items", "cart")
    synth.set_table_parameters("orders", {"default_distribution": "norm"})
    synth.fit(tables)
    out = synth.sample(seed=0)
    assert synth.get_table_parameters("items")["synthesizer_name"] == "CARTSynthesizer"
    assert synth.get_table_parameters("orders")["synthesizer_parameters"]["default_distribution"] == "norm"
    assert all(v == 1.0 for v in integrity(out, md).values())


# ---------------------------------------------------------------------- schemas HMA refuses
def chain(depth=6, seed=0):
    """t0 -> t1 -> ... -> t{depth-1}, plus a second parent for the last table: deeper than SDV's HMA allows."""
    rng = np.random.default_rng(seed)
    tables, md = {}, simulacra.Metadata()
    prev = None
    for d in range(depth):
        n_parent = 1 if prev is None else len(prev)
        per = rng.integers(1, 4, n_parent) if prev is not None else np.array([40])
        parent_ids = np.repeat(prev[f"t{d - 1}_id"].to_numpy(), per) if prev is not None else None
        n = int(per.sum()) if prev is not None else 40
        df = pd.DataFrame({f"t{d}_id": np.arange(n), "x": rng.normal(size=n)})
        if prev is not None:
            df[f"t{d - 1}_id"] = parent_ids
            df["x"] = df["x"] + np.repeat(prev["x"].to_numpy(), per)
        tables[f"t{d}"] = df
        md.detect_table_from_dataframe(f"t{d}", df)
        md.set_primary_key(f"t{d}_id", table_name=f"t{d}")
        if prev is not None:
            md.update_column(f"t{d - 1}_id", table_name=f"t{d}", sdtype="id")
            md.add_relationship(f"t{d - 1}", f"t{d}", f"t{d - 1}_id", f"t{d - 1}_id")
        prev = df
        if len(prev) > 3000:
            break
    return tables, md


def test_deep_schema_is_learned_without_a_cap():
    tables, md = chain(7)
    assert len(tables) == 7
    synth = RelationalSynthesizer(md, synthesizer="gaussian_copula").fit(tables)
    out = synth.sample(seed=0)
    assert all(v == 1.0 for v in integrity(out, md).values())
    last = f"t{len(tables) - 1}"
    assert len(out[last]) == pytest.approx(len(tables[last]), rel=0.3)


def test_self_reference_with_a_nullable_key():
    tables, md = employees()
    out = RelationalSynthesizer(md).fit(tables).sample(seed=0)
    e = out["employees"]
    assert e.manager_id.isna().sum() >= 1
    assert e.manager_id.dropna().isin(e.employee_id).all()


def test_self_reference_without_a_missing_key_is_refused():
    tables, md = employees()
    df = tables["employees"].copy()
    df["manager_id"] = df["manager_id"].fillna(1)
    with pytest.raises(MetadataError, match="never missing"):
        RelationalSynthesizer(md).fit({"employees": df})


# ---------------------------------------------------------------------- orphans and missing keys
def with_orphans():
    tables, md = shop(100)
    orders = tables["orders"].copy()
    orders.loc[:4, "customer_id"] = [9001, 9002, 9003, 9004, 9005]
    return {**tables, "orders": orders}, md


def test_orphans_are_an_error_by_default_naming_the_relationship():
    tables, md = with_orphans()
    with pytest.raises(InvalidDataError, match=r"'customers'.customer_id -> 'orders'.customer_id.*9001.*orphans="):
        RelationalSynthesizer(md).fit(tables)


def test_orphans_dropped_or_kept_as_missing():
    tables, md = with_orphans()
    dropped = RelationalSynthesizer(md, orphans="drop", synthesizer="gaussian_copula").fit(tables)
    report = dropped.orphan_report  # the 5 orders, then the items that lost their order with them
    assert report["relationship 'customers'.customer_id -> 'orders'.customer_id"] == 5
    assert report["relationship 'orders'.order_id -> 'items'.order_id"] >= 5
    kept = RelationalSynthesizer(md, orphans="keep_as_missing", synthesizer="gaussian_copula").fit(tables)
    out = kept.sample(seed=0)
    assert out["orders"].customer_id.isna().sum() >= 1  # rows without a parent, as in the data it learned
    assert out["orders"].customer_id.dropna().isin(out["customers"].customer_id).all()


def test_a_nullable_secondary_key_keeps_its_missing_share():
    tables, md = shop(300)
    orders = tables["orders"].copy()
    rng = np.random.default_rng(0)
    orders["store_id"] = orders["store_id"].where(rng.random(len(orders)) > 0.3)
    synth = RelationalSynthesizer(md).fit({**tables, "orders": orders})
    out = synth.sample(seed=0)["orders"]
    assert out.store_id.isna().mean() == pytest.approx(0.3, abs=0.08)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "change, match",
    [
        (lambda t: t.update(customers=t["customers"].iloc[:0]), "no rows"),
        (lambda t: t.update(customers=pd.concat([t["customers"], t["customers"].iloc[:2]])), "duplicate"),
        (
            lambda t: t.update(customers=t["customers"].assign(customer_id=lambda d: d.customer_id.where(d.index > 0))),
            "missing",
        ),
        (lambda t: t.update(orders=t["orders"].assign(customer_id=lambda d: d.customer_id.astype(str))), "same type"),
        (lambda t: t.pop("stores"), "not in the data"),
    ],
    ids=["empty table", "duplicate key", "missing key", "int vs text keys", "table not given"],
)
def test_bad_tables_get_one_clear_error(change, match):
    tables, md = shop(60)
    tables = {k: v.copy() for k, v in tables.items()}
    change(tables)
    with pytest.raises((InvalidDataError, MetadataError), match=match):
        RelationalSynthesizer(md).fit(tables)


def test_a_cycle_without_a_nullable_key_is_refused():
    a = pd.DataFrame({"a_id": [1, 2, 3], "b_id": [1, 2, 3]})
    b = pd.DataFrame({"b_id": [1, 2, 3], "a_id": [1, 2, 3]})
    md = simulacra.Metadata()
    for n, df in (("a", a), ("b", b)):
        md.detect_table_from_dataframe(n, df)
        for c in df.columns:
            md.update_column(c, table_name=n, sdtype="id")
        md.set_primary_key(f"{n}_id", table_name=n)
    md.add_relationship("a", "b", "a_id", "a_id")
    try:
        md.add_relationship("b", "a", "b_id", "b_id")
    except MetadataError:
        pytest.skip("this metadata refuses cycles before fit")
    with pytest.raises(MetadataError, match="cycle"):
        RelationalSynthesizer(md).fit({"a": a, "b": b})


# ---------------------------------------------------------------------- composite keys
def test_composite_keys_stay_unique_and_joined():
    rng = np.random.default_rng(0)
    flights = pd.DataFrame(
        {
            "day": np.repeat(np.arange(1, 31), 8),
            "number": np.tile(np.arange(100, 108), 30),
            "seats": rng.integers(50, 300, 240),
        }
    )
    n = rng.poisson(flights.seats / 50)
    tickets = pd.DataFrame(
        {
            "ticket_id": np.arange(n.sum()),
            "day": np.repeat(flights.day, n),
            "number": np.repeat(flights.number, n),
            "price": rng.normal(200, 30, n.sum()).round(2),
        }
    )
    md = simulacra.Metadata()
    md.detect_table_from_dataframe("flights", flights)
    md.detect_table_from_dataframe("tickets", tickets)
    md.set_primary_key(["day", "number"], table_name="flights")
    md.set_primary_key("ticket_id", table_name="tickets")
    md.add_relationship("flights", "tickets", ["day", "number"], ["day", "number"])
    out = RelationalSynthesizer(md).fit({"flights": flights, "tickets": tickets}).sample(seed=0)
    f, t = out["flights"], out["tickets"]
    assert not f.duplicated(["day", "number"]).any()
    keys = pd.MultiIndex.from_frame(f[["day", "number"]])
    assert pd.MultiIndex.from_frame(t[["day", "number"]]).isin(keys).all()
    per = t.groupby(["day", "number"]).size().reindex(keys).fillna(0).to_numpy()
    assert np.corrcoef(per, f.seats)[0, 1] > 0.4  # bigger planes, more tickets


def test_a_pii_key_is_unique_and_joins_across_tables():
    """An e-mail as the primary key is faked (never a real address), unique, and the orders' foreign keys are those fakes."""
    rng = np.random.default_rng(0)
    users = pd.DataFrame({"email": [f"user{i}@example.org" for i in range(400)], "age": rng.integers(18, 80, 400)})
    n = rng.poisson(2, 400)
    orders = pd.DataFrame(
        {
            "order_id": np.arange(n.sum()),
            "email": np.repeat(users.email, n),
            "amount": rng.gamma(2, 20, n.sum()).round(2),
        }
    )
    md = simulacra.Metadata()
    md.detect_table_from_dataframe("users", users)
    md.detect_table_from_dataframe("orders", orders)
    md.update_column("email", table_name="users", sdtype="email")
    md.update_column("email", table_name="orders", sdtype="email")
    md.set_primary_key("email", table_name="users")
    md.set_primary_key("order_id", table_name="orders")
    md.add_relationship("users", "orders", "email", "email")
    out = RelationalSynthesizer(md).fit({"users": users, "orders": orders}).sample(scale=3.0, seed=0)
    u, o = out["users"], out["orders"]
    assert u.email.is_unique and len(u) == 1200
    assert not u.email.isin(users.email).any()
    assert o.email.isin(u.email).all()


def test_each_kind_of_model_file_says_which_load_reads_it(fitted, tmp_path):
    from simulacra import GaussianCopulaSynthesizer
    from simulacra.synthesizers.base import BaseSynthesizer

    synth, tables, md = fitted
    multi = tmp_path / "multi.zip"
    synth.save(multi)
    with pytest.raises(ModelFileError, match="RelationalSynthesizer.load"):
        BaseSynthesizer.load(multi)
    single = tmp_path / "single.zip"
    GaussianCopulaSynthesizer(md.get_table_metadata("stores")).fit(tables["stores"]).save(single)
    with pytest.raises(ModelFileError, match="single-table"):
        RelationalSynthesizer.load(single)
