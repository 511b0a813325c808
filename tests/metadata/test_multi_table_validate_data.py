"""validate_data({name: DataFrame}): one clear error per bad input, naming table, column and values."""

import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import InvalidDataError


def _data():
    users = pd.DataFrame({"user_id": [1, 2, 3], "age": [30, 40, 50]})
    orders = pd.DataFrame({"order_id": [10, 11, 12], "user_id": [1, 3, None], "amount": [5.0, 6.0, 7.0]})
    return {"users": users, "orders": orders}


def _metadata():
    md = Metadata.detect_from_dataframes(_data())
    assert [r["child_foreign_key"] for r in md.relationships] == ["user_id"]
    return md


def test_good_data_passes():
    _metadata().validate_data(_data())


@pytest.mark.parametrize(
    "change, match",
    [
        (
            lambda d: {**d, "users": d["users"].assign(user_id=[1, 2, 2])},
            r"table 'users', primary key 'user_id': 1 value\(s\) appear more than once \(e.g. 2\); a primary key is "
            r"unique: drop the duplicates",
        ),
        (
            lambda d: {**d, "users": d["users"].assign(user_id=[1, None, 3])},
            r"table 'users', primary key 'user_id': 1 row\(s\) have no value in 'user_id' \(e.g. row\(s\) 1\); .*"
            r"fill those values, drop those rows",
        ),
        (
            lambda d: {**d, "orders": d["orders"].iloc[:0]},
            r"table 'orders' has no rows; .*pass its data, or remove_table\('orders'\)",
        ),
        (
            lambda d: {**d, "orders": d["orders"].assign(user_id=["1", "3", None])},
            r"table 'orders', column 'user_id': the foreign key holds text values \((object|str), e.g. '1', '3'\) and the "
            r"primary key 'user_id' of the parent table 'users' holds number values .*read both alike",
        ),
        (
            lambda d: {"orders": d["orders"]},
            r"the data has no table 'users', the parent table of relationship 'users'.'user_id' -> "
            r"'orders'.'user_id' \('orders' references it\); pass every table",
        ),
        (
            lambda d: {**d, "orders": d["orders"].assign(user_id=[1, 7, 8])},
            r"table 'orders', column 'user_id': 2 value\(s\) are not in the primary key 'user_id' of the parent "
            r"table 'users' \(e.g. 7, 8\)",
        ),
    ],
)
def test_bad_data_gets_one_clear_error(change, match):
    with pytest.raises(InvalidDataError, match=match):
        _metadata().validate_data(change(_data()))


def test_composite_references_are_checked():
    orders = pd.DataFrame({"shop": ["a", "a", "b"], "order_no": [1, 2, 1], "total": [1.0, 2.0, 3.0]})
    lines = pd.DataFrame({"line_id": [1, 2, 3, 4], "shop": ["a", "b", "a", None], "order_no": [2, 1, 1, 1]})
    md = Metadata.detect_from_dataframes({"orders": orders, "lines": lines}, infer_keys="primary_only")
    md.update_columns(["shop", "order_no"], "orders", sdtype="id")
    md.update_columns(["shop", "order_no"], "lines", sdtype="id")
    md.set_primary_key(["shop", "order_no"], "orders")
    md.set_primary_key("line_id", "lines")
    md.add_relationship("orders", "lines", ["shop", "order_no"], ["shop", "order_no"])
    md.validate_data({"orders": orders, "lines": lines})  # a key with a missing part has no parent: allowed
    bad = lines.assign(order_no=[2, 2, 1, 1])  # ('b', 2) is no order
    with pytest.raises(
        InvalidDataError,
        match=r"table 'lines', column \['shop', 'order_no'\]: 1 value\(s\) are not in the primary key "
        r"\['shop', 'order_no'\] of the parent table 'orders' \(e.g. \['b', 2\]\)",
    ):
        md.validate_data({"orders": orders, "lines": bad})
    dup = orders.assign(order_no=[1, 1, 1])
    with pytest.raises(
        InvalidDataError, match=r"primary key \['shop', 'order_no'\]: 1 value\(s\) appear more than once"
    ):
        md.validate_data({"orders": dup, "lines": lines})
