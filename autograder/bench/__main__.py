"""Run every benchmark module: ``python -m autograder.bench [ID ...]``."""

import argparse
import importlib
import pkgutil
import sys

import autograder.bench as bench


def main(argv=None) -> int:
    available = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    parser = argparse.ArgumentParser(prog="python -m autograder.bench",
                                     description="Benchmarks: medians and ratios measured side by side.")
    parser.add_argument("names", nargs="*", default=available, help=f"benchmarks to run (default: {', '.join(available)})")
    args = parser.parse_args(argv)
    for name in args.names:
        if name not in available:
            parser.error(f"no benchmark {name!r}; available: {', '.join(available)}")
        print(f"== {name}", flush=True)
        importlib.import_module(f"autograder.bench.{name}").main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
