"""Numerical columns: floats and integers of any width, numpy or pandas nullable."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ..utils.dtypes import is_text_dtype
from ..utils.values import seconds_to_timedelta
from .base import ColumnTransform, check_bounds

_INT_RANGES = {
    "Int8": (-(2**7), 2**7 - 1),
    "Int16": (-(2**15), 2**15 - 1),
    "Int32": (-(2**31), 2**31 - 1),
    "Int64": (-(2**63), 2**63 - 1),
    "UInt8": (0, 2**8 - 1),
    "UInt16": (0, 2**16 - 1),
    "UInt32": (0, 2**32 - 1),
    "UInt64": (0, 2**64 - 1),
}


def learn_decimals(values: np.ndarray, max_decimals: int = 10) -> int | None:
    """Smallest number of decimals that writes every value exactly, or None if more than ``max_decimals``."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    if v.size > 200_000:
        v = v[:: max(1, v.size // 200_000)]
    for d in range(max_decimals + 1):
        scaled = v * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled)) * 1e-3 + 1e-7):
            return d
    return None


def as_float(name, series: pd.Series) -> np.ndarray:
    """The column as float64 with NaN for missing; clear errors for text or inf values."""
    s = series
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any():
            ex = s[bad].iloc[0]
            raise InvalidDataError(
                f"numerical column {name!r} has {int(bad.sum())} non-numeric value(s) such as {ex!r}; "
                "clean them or declare the column 'categorical'"
            )
        s = conv
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("float64")
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return s.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    try:
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise InvalidDataError(f"numerical column {name!r} cannot be read as numbers") from None
    inf = np.isinf(arr)
    if inf.any():
        raise InvalidDataError(
            f"numerical column {name!r} has {int(inf.sum())} infinite value(s); replace them with "
            "missing values (NaN) or finite numbers"
        )
    return arr


class NumericalTransform(ColumnTransform):
    """Float value plus a null indicator when the column has missing values.

    ``inverse`` clips to the learned [min, max] (``enforce_min_max_values``), rounds to the learned
    number of decimals (``enforce_rounding``) and restores the input dtype, including pandas
    nullable and unsigned integer dtypes.
    """

    sdtype = "numerical"

    def __init__(self, column, computer_representation=None, enforce_min_max_values=True, enforce_rounding=True):
        super().__init__(column)
        self.computer_representation = computer_representation
        self.enforce_min_max_values = enforce_min_max_values
        self.enforce_rounding = enforce_rounding

    def fit(self, series):
        v = as_float(self.column, series)
        ok = ~np.isnan(v)
        if not ok.any():
            raise InvalidDataError(f"column {self.column!r} has no values (all missing); drop it or fill it")
        self.dtype = "float64" if is_text_dtype(series.dtype) else str(series.dtype)
        if pd.api.types.is_timedelta64_dtype(series.dtype):
            self.computer_representation = self.computer_representation or "Float"
        rep = self.computer_representation
        if rep is None:
            from ..metadata.detection import numerical_representation

            rep = "Float" if is_text_dtype(series.dtype) else numerical_representation(series)
        self.representation = rep
        self.min = float(v[ok].min())
        self.max = float(v[ok].max())
        self.decimals = 0 if rep != "Float" else learn_decimals(v[ok])
        # integers beyond 2**53 lose digits as float64: learn them as offsets from the exact minimum
        self.offset = None
        self.int_bounds = None
        ints = _exact_ints(series)
        if rep in _INT_RANGES:
            check_representation(self.column, rep, ints, v[ok])
        if ints is not None and rep != "Float":
            vals = ints[0][~ints[1]]
            lo, hi = int(vals.min()), int(vals.max())
            self.int_bounds = [lo, hi]
            if max(abs(lo), abs(hi)) > _EXACT and hi - lo <= _MAX_OFFSET_RANGE:
                self.offset = lo
                self.min, self.max = 0.0, float(hi - lo)
                v = self._encode(series)
        # decimal.Decimal values: learned as float64, back as Decimal at the column's scale
        self.decimal_scale = _decimal_scale(series)
        self.null_rate = float(1 - ok.mean())
        self.output_names = [self.column]
        self.output_kinds = ["continuous"]
        nunique = len(np.unique(v[ok][:100_000]))
        if nunique <= 32:
            self.output_kinds = ["discrete"]
        if self.null_rate > 0:
            self.output_names.append(self.column + "#null")
            self.output_kinds.append("null")
        return self

    def _encode(self, series) -> np.ndarray:
        """Float values as the model sees them: the number, or its offset from the minimum."""
        offset = self.offset
        if offset is None:
            return as_float(self.column, series)
        ints = _exact_ints(series)
        if ints is None:  # a condition given as a float, for instance
            return as_float(self.column, series) - float(offset)
        vals, missing = ints
        below = vals < offset  # only new values (conditions) can be below the learned minimum
        # exact integer difference (uint64 arithmetic wraps modulo 2**64, which is exact here), then float
        out = (vals.astype(np.uint64) - np.uint64(offset % 2**64)).astype(np.float64)
        out[below] = vals[below].astype(np.float64) - float(offset)
        out[missing] = np.nan
        return out

    def output_specs(self):
        """The value output carries the learned [min, max] when they are enforced."""
        from .spec import OutputSpec

        lo, hi = (self.min, self.max) if self.enforce_min_max_values else (None, None)
        return [
            OutputSpec(n, self.column, k, low=lo if i == 0 else None, high=hi if i == 0 else None)
            for i, (n, k) in enumerate(zip(self.output_names, self.output_kinds))
        ]

    def forward(self, series):
        v = self._encode(series)
        if self.null_rate > 0:
            return np.column_stack([v, np.isnan(v).astype(float)])
        return v[:, None]

    def inverse(self, values, rng, positions, run_state=None):
        x = values[:, 0].astype(float, copy=True)
        if self.enforce_min_max_values:
            np.clip(x, self.min, self.max, out=x)
        nulls = values[:, 1] > 0.5 if self.null_rate > 0 else None
        if self.offset is not None:
            return self._inverse_offset(x, nulls)
        if self.decimal_scale is not None:
            return _as_decimals(self.column, np.round(x, self.decimal_scale), nulls, self.decimal_scale)
        if self.representation != "Float":
            lo, hi = _INT_RANGES[self.representation]
            # the float bounds must themselves fit the integer type (float(2**63 - 1) == 2**63)
            lo_f, hi_f = float(lo), float(hi)
            if hi_f > hi:
                hi_f = float(np.nextafter(hi_f, 0.0))
            if lo_f < lo:
                lo_f = float(np.nextafter(lo_f, 0.0))
            np.clip(x, lo_f, hi_f, out=x)
            x = np.round(x)
        elif self.enforce_rounding and self.decimals is not None:
            x = np.round(x, self.decimals)
        return _restore_numeric(self.column, x, nulls, self.dtype)

    def _inverse_offset(self, x: np.ndarray, nulls) -> pd.Series:
        """Offsets from the exact minimum -> exact integers of the column's dtype (no float64 in between)."""
        lo, hi = _INT_RANGES[self.representation]
        if self.enforce_min_max_values:
            lo, hi = self.int_bounds
        offset = self.offset
        x = np.nan_to_num(np.round(x), nan=0.0)
        # keep offset + x inside [lo, hi]: float bounds rounded towards zero, then exact clipping
        down = float(np.nextafter(float(hi - offset), 0.0)) if float(hi - offset) > hi - offset else float(hi - offset)
        up = float(np.nextafter(float(lo - offset), 0.0)) if float(lo - offset) < lo - offset else float(lo - offset)
        np.clip(x, up, down, out=x)
        mag = np.abs(x).astype(np.uint64)
        base = np.uint64(offset % 2**64)
        res = np.where(x >= 0, base + mag, base - mag)  # modulo 2**64: exact for the signed view too
        dt = pd.api.types.pandas_dtype(self.dtype)
        npdt = getattr(dt, "numpy_dtype", dt)
        if npdt.kind == "i":
            res = res.view(np.int64)
        res = np.clip(res, npdt.type(lo), npdt.type(hi)).astype(npdt)
        mask = nulls if nulls is not None else np.zeros(len(res), dtype=bool)
        if isinstance(dt, pd.api.extensions.ExtensionDtype) or mask.any():
            return pd.Series(
                pd.arrays.IntegerArray(np.where(mask, npdt.type(0), res).astype(npdt), mask.copy()), name=self.column
            )
        return pd.Series(res, name=self.column)

    def get_state(self):
        st = super().get_state()
        st.update(
            computer_representation=self.computer_representation,
            enforce_min_max_values=bool(self.enforce_min_max_values),
            enforce_rounding=bool(self.enforce_rounding),
            dtype=self.dtype,
            representation=self.representation,
            min=self.min,
            max=self.max,
            decimals=self.decimals,
            null_rate=self.null_rate,
            offset=self.offset,
            int_bounds=self.int_bounds,
            decimal_scale=self.decimal_scale,
        )
        return st

    def set_state(self, st):
        from ._state_checks import check_numeric_dtype as check_state_dtype

        super().set_state(st)
        self.computer_representation = st["computer_representation"]
        self.enforce_min_max_values = bool(st["enforce_min_max_values"])
        self.enforce_rounding = bool(st["enforce_rounding"])
        self.dtype = str(st["dtype"])
        pd.api.types.pandas_dtype(self.dtype)  # validates the dtype name
        self.representation = str(st["representation"])
        if self.representation != "Float" and self.representation not in _INT_RANGES:
            raise ValueError(f"unknown representation {self.representation!r}")
        self.min, self.max = check_bounds(st["min"], st["max"])
        if self.representation in _INT_RANGES:
            lo, hi = _INT_RANGES[self.representation]
            # the learned bounds are floats: float(2**64 - 1) == 2**64 is a valid UInt64 maximum
            if self.min < float(lo) or self.max > float(hi):
                raise ValueError(f"bounds [{self.min}, {self.max}] do not fit {self.representation}")
        check_state_dtype(self.dtype, self.representation, self.min, self.max)
        if self.computer_representation is not None and self.computer_representation != self.representation:
            raise ValueError(
                f"computer_representation {str(self.computer_representation)[:40]!r} differs from {self.representation!r}"
            )
        if len(self.output_names) not in (1, 2):
            raise ValueError("a numerical column has one output and an optional null indicator")
        self.decimals = None if st["decimals"] is None else int(st["decimals"])
        if self.decimals is not None and not 0 <= self.decimals <= 15:
            raise ValueError(f"decimals must be between 0 and 15, got {self.decimals}")
        self.null_rate = float(st["null_rate"])
        if not 0.0 <= self.null_rate <= 1.0 or (self.null_rate > 0) != (len(self.output_names) == 2):
            raise ValueError("null_rate does not match the outputs")
        self._set_exact_state(st)

    def _set_exact_state(self, st) -> None:
        """Exact integer bounds and offset, and the decimal scale (absent in older model files)."""
        self.offset, self.int_bounds, self.decimal_scale = None, None, None
        bounds = st.get("int_bounds")
        if bounds is not None:
            if self.representation not in _INT_RANGES or len(bounds) != 2 or not all(type(b) is int for b in bounds):
                raise ValueError("int_bounds must be two integers of an integer column")
            lo, hi = _INT_RANGES[self.representation]
            if not lo <= bounds[0] <= bounds[1] <= hi:
                raise ValueError(f"int_bounds {bounds} do not fit {self.representation}")
            if pd.api.types.pandas_dtype(self.dtype).kind not in "iu":  # fit learns int_bounds of integer dtypes only
                raise ValueError(
                    f"dtype {self.dtype!r} is not an integer dtype, but the column was learned as exact integers "
                    f"({self.representation}, int_bounds); its values would come back as floats"
                )
            self.int_bounds = [int(bounds[0]), int(bounds[1])]
        offset = st.get("offset")
        if offset is not None:
            if type(offset) is not int or self.int_bounds is None or offset != self.int_bounds[0]:
                raise ValueError("offset must be the column's integer minimum")
            if self.min != 0.0 or self.max != float(self.int_bounds[1] - offset):
                raise ValueError("an offset column's bounds must be [0, max - min]")
            self.offset = offset
        scale = st.get("decimal_scale")
        if scale is not None:
            if type(scale) is not int or not 0 <= scale <= _MAX_SCALE:
                raise ValueError(f"decimal_scale must be an integer between 0 and {_MAX_SCALE}")
            self.decimal_scale = scale


def check_representation(column, rep: str, ints, values: np.ndarray) -> None:
    """Refuse (InvalidDataError) values outside the integer type ``rep`` the metadata declares.

    ``ints``: the exact integers of an integer column (``_exact_ints``), else None and ``values``
    (floats, no NaN) are compared as a model file's bounds are (``set_state``).
    """
    lo, hi = _INT_RANGES[rep]
    if ints is not None and (~ints[1]).any():
        vals = ints[0][~ints[1]]
        vmin, vmax = int(vals.min()), int(vals.max())
        fits = lo <= vmin and vmax <= hi
    else:
        vmin, vmax = float(values.min()), float(values.max())
        fits = vmin >= float(lo) and vmax <= float(hi)
        frac = np.isfinite(values) & (values != np.floor(values))
        if fits and frac.any():  # 1e2 == 100 is whole and fine; 6.5 is not an integer
            raise InvalidDataError(
                f"numerical column {column!r} has fractional values (such as {float(values[frac][0])!r}), which do not fit its integer "
                f"computer_representation {rep}; change computer_representation in the metadata to 'Float', or round the data"
            )
        vmin, vmax = (int(x) if x.is_integer() else x for x in (vmin, vmax))
    if fits:
        return
    signed, unsigned = ("Int8", "Int16", "Int32", "Int64"), ("UInt8", "UInt16", "UInt32", "UInt64")
    order = (
        (unsigned + signed if rep.startswith("U") else signed + unsigned)
        if isinstance(vmin, int) and isinstance(vmax, int)
        else ()
    )
    wider = next((r for r in order if _INT_RANGES[r][0] <= vmin and vmax <= _INT_RANGES[r][1]), "Float")
    to = f"to {wider!r}, or 'Float'" if wider != "Float" else "to 'Float'"
    raise InvalidDataError(
        f"numerical column {column!r} has values from {vmin:,} to {vmax:,}, which do not fit its computer_representation "
        f"{rep} ({lo:,} to {hi:,}); change computer_representation in the metadata ({to}), or fix the data"
    )


#: integers up to this size are exact in float64
_EXACT = 2**53
#: offsets are used up to this range (wider ranges are learned at float precision either way)
_MAX_OFFSET_RANGE = 2**62
#: largest decimal scale kept (Arrow's decimal128 has 38 digits)
_MAX_SCALE = 18


def _exact_ints(series: pd.Series):
    """(int64/uint64 values, missing mask) of an integer column (numpy or nullable); None otherwise."""
    dt = series.dtype
    npdt = getattr(dt, "numpy_dtype", None) if isinstance(dt, pd.api.extensions.ExtensionDtype) else dt
    if npdt is None or np.dtype(npdt).kind not in "iu":
        return None
    missing = series.isna().to_numpy()
    wide = np.uint64 if np.dtype(npdt).kind == "u" else np.int64
    vals = series.to_numpy(dtype=wide, na_value=0) if missing.any() else series.to_numpy().astype(wide)
    return vals, missing


def _decimal_scale(series: pd.Series) -> int | None:
    """Digits after the point of a column of decimal.Decimal values (largest in the first 1,000); None otherwise."""
    if series.dtype != object or pd.api.types.infer_dtype(series, skipna=True) != "decimal":
        return None
    head = series.dropna().iloc[:1000]
    exps = [v.as_tuple().exponent for v in head if v.is_finite()]
    scale = max([-e for e in exps if isinstance(e, int)] + [0])
    return int(min(scale, _MAX_SCALE))


def _as_decimals(name, x: np.ndarray, nulls, scale: int) -> pd.Series:
    """Floats -> decimal.Decimal objects at ``scale`` digits (vectorized through Arrow)."""
    import pyarrow as pa

    mask = np.isnan(x) if nulls is None else (nulls | np.isnan(x))
    arr = pa.array(np.where(mask, 0.0, x), mask=mask)
    dec = arr.cast(pa.decimal128(38, scale), safe=False)
    return pd.Series(dec.to_pandas(), name=name, dtype=object)


def _restore_numeric(name, x: np.ndarray, nulls, dtype: str) -> pd.Series:
    dt = pd.api.types.pandas_dtype(dtype)
    mask = nulls if nulls is not None else np.zeros(len(x), dtype=bool)
    has_null = bool(mask.any())
    if dt.kind == "m":
        td = pd.Series(seconds_to_timedelta(x), name=name)
        td[mask] = pd.NaT
        return td.astype(dt)
    if isinstance(dt, pd.api.extensions.ExtensionDtype):
        npdt = getattr(dt, "numpy_dtype", None)
        if npdt is not None and npdt.kind in "iu":
            values = np.where(mask, 0, np.round(x)).astype(npdt)
            return pd.Series(pd.arrays.IntegerArray(values, mask.copy()), name=name)
        if npdt is not None and npdt.kind == "f":
            return pd.Series(pd.arrays.FloatingArray(np.where(mask, 0, x).astype(npdt), mask.copy()), name=name)
        s = pd.Series(x, name=name)
        if has_null:
            s[mask] = np.nan
        return s.astype(dt)
    if dt.kind in "iu":
        if has_null:
            nullable = pd.api.types.pandas_dtype({"i": "Int", "u": "UInt"}[dt.kind] + str(dt.itemsize * 8))
            values = np.where(mask, 0, np.round(x)).astype(dt)
            return pd.Series(pd.arrays.IntegerArray(values, mask.copy()), name=name, dtype=nullable)
        return pd.Series(np.round(x).astype(dt), name=name)
    x = x.astype(dt) if dt.kind == "f" else x
    if has_null:
        x = x.copy()
        x[mask] = np.nan
    return pd.Series(x, name=name)
