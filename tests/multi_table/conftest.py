"""Small relational tables with known structure, built here (seeded), for the multi-table tests."""

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata


def shop(n_customers=300, seed=0):
    """customers -> orders -> items, stores -> orders: counts and values follow the parents.

    A customer's ``segment`` and ``income`` set how many orders they place and how much they
    spend; an order's ``total`` sets how many items it has; items' prices follow the order.
    """
    rng = np.random.default_rng(seed)
    segment = rng.choice(["basic", "gold"], n_customers, p=[0.7, 0.3])
    income = np.round(rng.lognormal(10, 0.4, n_customers) * np.where(segment == "gold", 1.8, 1.0), 2)
    customers = pd.DataFrame({"customer_id": np.arange(1, n_customers + 1), "segment": segment, "income": income})
    stores = pd.DataFrame({"store_id": ["S1", "S2", "S3", "S4"], "size": [100.0, 400.0, 250.0, 50.0]})
    n_orders = rng.poisson(np.where(segment == "gold", 6, 1.5))
    cust = np.repeat(customers.customer_id.to_numpy(), n_orders)
    inc = np.repeat(income, n_orders)
    m = len(cust)
    store = rng.choice(stores.store_id, m, p=stores["size"] / stores["size"].sum())
    total = np.round(inc / 1000 * rng.lognormal(0, 0.3, m), 2)
    orders = pd.DataFrame(
        {
            "order_id": np.arange(1, m + 1),
            "customer_id": cust,
            "store_id": store,
            "total": total,
            "channel": rng.choice(["web", "shop"], m),
        }
    )
    n_items = 1 + rng.poisson(total / total.mean() * 2)
    order = np.repeat(orders.order_id.to_numpy(), n_items)
    tot = np.repeat(total, n_items)
    items = pd.DataFrame(
        {
            "item_id": np.arange(1, len(order) + 1),
            "order_id": order,
            "price": np.round(tot / 3 * rng.uniform(0.5, 1.5, len(order)), 2),
        }
    )
    tables = {"customers": customers, "stores": stores, "orders": orders, "items": items}
    md = Metadata()
    for name, df in tables.items():
        md.detect_table_from_dataframe(name, df)
    md.set_primary_key("customer_id", table_name="customers")
    md.set_primary_key("store_id", table_name="stores")
    md.set_primary_key("order_id", table_name="orders")
    md.set_primary_key("item_id", table_name="items")
    for t, c in (("orders", "customer_id"), ("orders", "store_id"), ("items", "order_id")):
        md.update_column(c, table_name=t, sdtype="id")
    md.add_relationship("customers", "orders", "customer_id", "customer_id")
    md.add_relationship("stores", "orders", "store_id", "store_id")
    md.add_relationship("orders", "items", "order_id", "order_id")
    return tables, md


@pytest.fixture(scope="module")
def shop_data():
    return shop()


def employees(n=200, seed=1):
    """A self-reference: each employee but the top ones has a manager (a lower employee number)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    top = n // 20  # the first employees have no manager
    manager = np.r_[np.full(top, np.nan), rng.integers(1, np.maximum(ids[top:] // 3, 2))].astype(float)
    level = np.where(np.isnan(manager), 0, 1 + (ids > n // 3))
    salary = np.round(rng.normal(100 - 20 * level, 5), 1)
    df = pd.DataFrame({"employee_id": ids, "manager_id": pd.array(manager, dtype="Int64"), "salary": salary})
    md = Metadata()
    md.detect_table_from_dataframe("employees", df)
    md.set_primary_key("employee_id", table_name="employees")
    md.update_column("manager_id", table_name="employees", sdtype="id")
    md.add_relationship("employees", "employees", "employee_id", "manager_id")
    return {"employees": df}, md


def integrity(tables, md):
    """Share of present foreign key values found in their parent's key, per relationship (1.0 = all)."""
    out = {}
    for r in md.relationships:
        fk = tables[r["child_table_name"]][r["child_foreign_key"]].dropna()
        pk = tables[r["parent_table_name"]][r["parent_primary_key"]]
        out[(r["child_table_name"], r["child_foreign_key"])] = float(fk.isin(pk).mean()) if len(fk) else 1.0
    return out
