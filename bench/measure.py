"""Small measuring helpers shared by the benchmarks: percentiles, SQL counting, apps."""
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event

from config import Config


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def median(values):
    return statistics.median(values) if values else float("nan")


def timed(fn, runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls of fn()."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


@contextmanager
def count_queries(engine):
    """Counts SQL statements sent while the block runs: `with count_queries(e) as n: ...; n[0]`."""
    n = [0]

    def before(*_args, **_kw):
        n[0] += 1
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield n
    finally:
        event.remove(engine, "before_cursor_execute", before)


def bench_config(url: str):
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-secret-not-for-production-use-0123456789"
        IDLE_TIMEOUT_MINUTES = 600
    return BenchConfig
