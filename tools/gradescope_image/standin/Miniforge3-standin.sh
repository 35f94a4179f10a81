#!/bin/sh
# gradescope-image stand-in for the Miniforge3 installer (tools/gradescope_image/README.md).
# Like `Miniforge3-Linux-x86_64.sh -b [-p PREFIX]` it installs a base Python and `mamba`/`conda` into
# PREFIX (default /root/miniforge3), but not from conda-forge, which cannot be reached here: the base
# interpreter is a CPython 3.11 staged beside this script; `mamba` is a small stand-in for the
# subcommands otter's setup.sh and run_autograder use (PREFIX/bin/mamba).
set -eu
PREFIX=/root/miniforge3
batch=""
while [ $# -gt 0 ]; do
    case "$1" in
        -b) batch=1 ;;
        -p) shift; PREFIX="$1" ;;
        -u) ;;
        *) echo "Miniforge stand-in: unsupported option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$batch" ] || { echo "Miniforge stand-in: only batch mode (-b) is supported" >&2; exit 2; }
if [ -e "$PREFIX" ]; then
    echo "ERROR: File or directory already exists: '$PREFIX'" >&2  # as Miniforge's installer says
    exit 1
fi
STANDIN=/usr/local/share/gradescope-image-standin
# The interpreter: the project's own CPython 3.11 build, staged by gsimage.py (its library path made
# relative), copied whole: bin/python3.11, lib/libpython3.11.so, lib/python3.11 (the standard
# library, an empty site-packages) -- a relocated installation like conda's, not a venv.
echo "Miniforge stand-in: installing Python $("$STANDIN/python/bin/python3.11" -c 'import platform; print(platform.python_version())') into $PREFIX"
mkdir -p "$PREFIX/envs" "$PREFIX/standin-bin"
cp -a "$STANDIN/python/." "$PREFIX/"
ln -s python3.11 "$PREFIX/bin/python3"
ln -s python3.11 "$PREFIX/bin/python"
{ echo "#!$PREFIX/bin/python3.11"; tail -n +2 "$STANDIN/mamba"; } > "$PREFIX/bin/mamba"
chmod 755 "$PREFIX/bin/mamba"
ln -s mamba "$PREFIX/bin/conda"
cp "$STANDIN/playwright" "$PREFIX/standin-bin/playwright"
chmod 755 "$PREFIX/standin-bin/playwright"
echo "Miniforge stand-in: done"
