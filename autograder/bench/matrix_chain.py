"""matrix_chain benchmarks: the lecture's point in seconds, and the margins of the suite's time limit.

1. (AB)c versus A(Bc) with n x n matrices and a column c: the cost ratio mnp + mpq : npq + mnq is
   about n/2.  The time ratio is smaller (a matrix-vector product is memory bound and runs at a lower
   flop rate than a matrix-matrix product) but still in the hundreds with one BLAS thread.
2. optimal_order of the reference at k = 50, 100, 200: time grows like k^3 (ratio ~8 per doubling),
   and k = 200 stays far below the time limit of q3's long-chain check for its two chains.
3. jacobian_accumulation_costs of a 784 -> 300 -> 100 -> 10 -> 1 network: reverse mode's advantage.
"""

import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the grading sandbox (if numpy is not loaded yet)

import numpy as np  # noqa: E402

from autograder.engine.suite import load_suite, reference_solution  # noqa: E402


def _median_seconds(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ref = reference_solution("matrix_chain")
    rng = np.random.default_rng(0)

    n = 1000
    a, b, c = rng.standard_normal((n, n)), rng.standard_normal((n, n)), rng.standard_normal((n, 1))
    dims = [n, n, n, 1]
    slow = _median_seconds(lambda: ref.chain_multiply([a, b, c], ((0, 1), 2)))
    fast = _median_seconds(lambda: ref.chain_multiply([a, b, c], (0, (1, 2))))
    cost_ratio = ref.chain_cost(dims, ((0, 1), 2)) / ref.chain_cost(dims, (0, (1, 2)))
    print(f"(AB)c vs A(Bc), n = {n}: {slow * 1e3:.2f} ms vs {fast * 1e3:.3f} ms, "
          f"time ratio {slow / fast:.0f}, cost ratio {cost_ratio:.0f}")

    previous = None
    for k in (50, 100, 200):
        chain = [int(v) for v in rng.integers(1, 101, k + 1)]
        t = _median_seconds(lambda: ref.optimal_order(chain), repeat=3)
        growth = f", x{t / previous:.1f} per doubling (k^3 predicts 8)" if previous else ""
        print(f"optimal_order, k = {k}: {t:.3f} s{growth}")
        previous = t
    limit = next(c.check.timeout for q in load_suite("matrix_chain") for c in q.cases
                 if c.key == "q3_optimal_order:long_chains")
    print(f"q3 long-chain limit: {limit:g} s for k = 200 and k = 120 together; "
          f"margin ~{limit / (1.3 * previous):.0f}x")

    forward, reverse = ref.jacobian_accumulation_costs([784, 300, 100, 10, 1])
    print(f"Jacobian of 784 -> 300 -> 100 -> 10 -> 1: forward {forward:,}, reverse {reverse:,} "
          f"multiplications (reverse {forward / reverse:.1f}x cheaper)")


if __name__ == "__main__":
    main()
