"""How fast ``lstmref.lstm`` runs, next to Keras 3 and a NumPy floor.

For each size (batch, T, features, units), in float32 (Keras's default),
one Keras 3 ``LSTM`` layer with seeded random weights (every bias entry
non-zero) is timed three ways against ``lstmref.lstm`` on the weights read
back with ``lstmref.from_keras``:

- ``lstmref``: ``lstmref.lstm(x, params)``;
- ``predict``: ``model.predict(x, batch_size=batch)`` on a model holding
  just the layer, warmed up first so that tracing is not timed;
- ``eager``: the layer's call ``layer(x)``;
- ``floor``: only the arithmetic lstmref cannot avoid, written plainly in
  NumPy on preallocated arrays: x W as one (batch * T, F) @ (F, 4u)
  product, T products h U of (batch, u) @ (u, 4u), then one pass of
  ``lstmref.activations.sigmoid`` over batch * T * 3u elements and of
  ``np.tanh`` over batch * T * 2u (the candidate and c), each written into
  a preallocated array.

Each time is the median over ``repeats`` calls in a row, after one
warm-up call. (Taken in turn with the Keras calls instead, the smallest
size's floor read 0.16 ms rather than 0.024 ms: a tiny call right after a
long one probably finds the caches cold.) The share of the CPU other
processes took meanwhile is reported with the table, since it spoils
every number. Before timing a size,
lstmref's output is asserted equal to the layer's eager output (and to
predict's) to 2e-6, so a wrong answer is never timed.

Run ``python benchmarks/lstm_speed.py`` alone or ``benchmarks/run.py``.
"""

import sys
import time

import numpy as np

import lstmref
from common import random_params, report  # before Keras: its settings
from lstmref.activations import sigmoid
from machine import cpu_snapshot, others_share

__all__ = ["SIZES", "ATOL", "run", "table"]

TITLE = "LSTM forward pass, float32"

#: (batch, T, features, units) and the default number of repeats: more for
#: small sizes, where one call is short and the timer's noise is large.
SIZES = [
    ((1, 5, 3, 4), 200),
    ((32, 50, 8, 64), 40),
    ((256, 100, 16, 128), 9),
]

#: lstmref against Keras in float32: both round at 6e-8 per operation in a
#: different order; the parity tests use the same bound.
ATOL = 2e-6

SEED = 20240601


def keras_layer(batch, T, features, units, rng):
    """A Keras 3 LSTM with random non-zero weights, and a model around it.

    The weights are the tests' ``random_params`` in float32: N(0, (1.2 /
    sqrt(features + units))^2), so gates neither saturate nor sit at 1/2;
    bias entries are +-U(0.1, 1).
    """
    import keras
    layer = keras.layers.LSTM(units)
    model = keras.Sequential([keras.Input((T, features)), layer])
    params = random_params(rng, units, features, dtype=np.float32)
    layer.set_weights(lstmref.to_keras(params))
    return layer, model


def make_floor(x, params, rng):
    """The floor as a function of no arguments, its arrays preallocated.

    It does the matrix products lstmref must do and one pass of each
    activation over as many elements as lstmref applies it to; nothing
    else (no bias, no additions, no c and h updates, no copies).
    """
    batch, T, features = x.shape
    u = params.units
    dtype = x.dtype
    x2 = x.reshape(batch * T, features)  # (batch * T, F)
    W = np.ascontiguousarray(params.kernel)  # (F, 4u)
    U = np.ascontiguousarray(params.recurrent_kernel)  # (u, 4u)
    xz = np.empty((batch * T, 4 * u), dtype)
    h = rng.normal(0, 0.5, (batch, u)).astype(dtype)
    z = np.empty((batch, 4 * u), dtype)
    gates = rng.normal(0, 2, batch * T * 3 * u).astype(dtype)  # i, f, o
    cands = rng.normal(0, 2, batch * T * 2 * u).astype(dtype)  # c~, c
    sigmas, tanhs = np.empty_like(gates), np.empty_like(cands)

    def floor():
        np.matmul(x2, W, out=xz)
        for _ in range(T):
            np.matmul(h, U, out=z)
        sigmoid(gates, out=sigmas)
        np.tanh(cands, out=tanhs)

    return floor


def median_ms(times):
    """Median of a list of seconds, in milliseconds."""
    return 1e3 * float(np.median(times))


def measure(size, repeats, rng):
    """Check lstmref against Keras at one size, then time all four."""
    batch, T, features, units = size
    layer, model = keras_layer(batch, T, features, units, rng)
    params = lstmref.from_keras(layer)
    x = rng.normal(size=(batch, T, features)).astype(np.float32)
    assert params.dtype == np.float32

    ours = lstmref.lstm(x, params)
    eager = np.asarray(layer(x))
    predicted = model.predict(x, batch_size=batch, verbose=0)  # traces
    assert ours.dtype == np.float32 and ours.shape == (batch, units)
    np.testing.assert_allclose(ours, eager, rtol=0, atol=ATOL,
                               err_msg=f"lstmref vs Keras eager at {size}")
    np.testing.assert_allclose(ours, predicted, rtol=0, atol=ATOL,
                               err_msg=f"lstmref vs Keras predict at {size}")
    error = float(np.max(np.abs(ours - eager)))

    calls = {
        "lstmref": lambda: lstmref.lstm(x, params),
        # batch_size: predict's default of 32 would split large batches.
        "predict": lambda: model.predict(x, batch_size=batch, verbose=0),
        "eager": lambda: layer(x),
        "floor": make_floor(x, params, rng),
    }
    times = {name: [] for name in calls}
    before = cpu_snapshot()
    for name, call in calls.items():
        call()  # warm-up: caches, thread pools, tracing
        for _ in range(repeats):
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    others = others_share(before)
    ms = {name: median_ms(t) for name, t in times.items()}
    return {
        "size": size, "repeats": repeats,
        "lstmref_ms": ms["lstmref"], "predict_ms": ms["predict"],
        "eager_ms": ms["eager"], "floor_ms": ms["floor"],
        "predict_over_lstmref": ms["predict"] / ms["lstmref"],
        "lstmref_over_floor": ms["lstmref"] / ms["floor"],
        "max_abs_error": error, "others_cpu": others,
    }


def run(repeats=None, sizes=None):
    """Time every size; return one dict per size (times in ms).

    ``repeats`` overrides the per-size defaults of ``SIZES``; ``sizes`` is
    a list of (batch, T, features, units) to run instead of ``SIZES``.
    """
    plan = SIZES if sizes is None else [(s, None) for s in sizes]
    rng = np.random.default_rng(SEED)
    rows = []
    for size, default in plan:
        n = repeats or default or 10
        rows.append(measure(tuple(size), n, rng))
    return rows


def table(rows):
    """The rows as a markdown table."""
    lines = [
        "| size (batch, T, F, units) | lstmref ms | Keras predict ms "
        "| Keras eager ms | floor ms | predict / lstmref "
        "| lstmref / floor |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['lstmref_ms']:.3f} | {r['predict_ms']:.3f}"
            f" | {r['eager_ms']:.3f} | {r['floor_ms']:.3f}"
            f" | {r['predict_over_lstmref']:.2f}"
            f" | {r['lstmref_over_floor']:.2f} |")
    lines.append("")
    lines.append("Median of " + ", ".join(
        f"{r['repeats']}" for r in rows) + " repeats per size; lstmref vs "
        "Keras eager max |error|: " + ", ".join(
            f"{r['max_abs_error']:.1e}" for r in rows)
        + f" (asserted <= {ATOL:g}). Share of the CPU other processes "
        "used while timing: " + ", ".join(
            "?" if r["others_cpu"] is None else f"{r['others_cpu']:.0%}"
            for r in rows) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    report([sys.modules[__name__]])  # this section alone, as run.py does
