"""Draw the assignment's two figures from your module:   python draw_figures.py

It imports sgd_without_replacement.py from the folder this script is in (the kit's folder), whatever
folder you run it from, and writes next to it
    mean_convergence.png   the running mean's squared error, with and without replacement (log-log)
    sgd.png                SGD on a 1-D least-squares problem: fast start, then the region of confusion
Compare them with the reference solution's figures, shown in handout.md (and in figures/ next to
this script).  The seed is fixed, so every run draws the same data.  A figure whose functions are not
implemented yet is not drawn: one line says which function to implement.
"""

import argparse
import sys
import traceback
from pathlib import Path

argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()

HERE = Path(__file__).resolve().parent
MODULE = "sgd_without_replacement"
FILE = HERE / f"{MODULE}.py"

try:
    import matplotlib

    matplotlib.use("Agg")  # draw into files; no window needed
    import numpy as np
except ImportError as exc:
    sys.exit(f"draw_figures.py needs numpy and matplotlib ({exc}): run   {Path(sys.executable).name} -m pip install "
             f"-r {HERE / 'requirements.txt'}")

if not FILE.is_file():
    sys.exit(f"draw_figures.py draws from {FILE.name} in its own folder, {HERE}, and there is none there.")
sys.path.insert(0, str(HERE))


def where_raised(exc: BaseException) -> tuple[str, int | None]:
    """(function, line) of the innermost frame of exc's traceback inside the student's file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == FILE]
    return (frames[-1].name, frames[-1].lineno) if frames else ("", None)


try:
    import sgd_without_replacement as hw
except Exception as exc:
    line = exc.lineno if isinstance(exc, SyntaxError) else where_raised(exc)[1]
    at = f" at line {line}" if line else ""
    sys.exit(f"{FILE.name} could not be imported: {type(exc).__name__}{at}: {exc}. Fix that (python check.py says "
             "more), then run draw_figures.py again.")

not_implemented: dict[str, list[str]] = {}  # function -> the figures it kept from being drawn
failed = False


def draw(png: str, make) -> None:
    """Draw one figure and save it next to this script; report what kept it from being drawn."""
    global failed
    try:
        fig = make()
        fig.savefig(HERE / png, dpi=150)
    except NotImplementedError as exc:
        failed = True
        function, _ = where_raised(exc)
        not_implemented.setdefault(function or "a function", []).append(png)
        return
    except Exception as exc:
        failed = True
        traceback.print_exc()
        function, line = where_raised(exc)
        at = f" in {function}() at line {line} of {FILE.name}" if line else ""
        print(f"{png} not drawn: {type(exc).__name__}{at}: {exc} (the traceback above shows the calls)")
        return
    print(f"wrote {HERE / png}")


# One generator per figure, so that each figure's data is the reference's whatever the other did.
# Project 1: the lecture's example, n = 100 numbers from rand().
rng = np.random.default_rng(18065)
a = rng.random(100)
draw("mean_convergence.png", lambda: hw.plot_mean_convergence(a, trials=2000, rng=rng))

# Project 2: F(x) = 1/2 sum_i (a_i x - b_i)^2 with 10 terms whose minimizers b_i/a_i are spread
# around 1; SGD starts far away, at x0 = -3, with a constant step 0.25.
rng2 = np.random.default_rng(18066)
a2 = rng2.uniform(0.5, 1.5, size=10)
b2 = a2 * (1.0 + 0.5 * rng2.standard_normal(10))
draw("sgd.png", lambda: hw.plot_sgd(a2, b2, lr=0.25, num_steps=150, x0=-3.0, rng=rng2))

for function, pngs in not_implemented.items():
    print(f"{function}() is not implemented yet (it raises NotImplementedError), so {' and '.join(pngs)} "
          f"{'was' if len(pngs) == 1 else 'were'} not drawn: implement it in {FILE.name}.")
sys.exit(1 if failed else 0)
