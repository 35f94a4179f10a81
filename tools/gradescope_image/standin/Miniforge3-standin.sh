#!/bin/sh
# gradescope-image stand-in for the Miniforge3 installer (tools/gradescope_image/README.md).
# Like `Miniforge3-Linux-x86_64.sh -b [-p PREFIX]` it installs a base Python and `mamba`/`conda` into
# PREFIX (default /root/miniforge3), but from Debian's packages: conda-forge cannot be reached here.
# The base interpreter is Debian's python3.11 copied whole into PREFIX (a conda-like, relocated
# installation with its own standard library, not a venv); `mamba` is a small stand-in for the
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
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends python3.11 python3-pip-whl >/dev/null
echo "Miniforge stand-in: installing a relocated copy of Debian's Python $(python3.11 -c 'import platform; print(platform.python_version())') into $PREFIX"
mkdir -p "$PREFIX/bin" "$PREFIX/lib" "$PREFIX/envs" "$PREFIX/standin-bin"
cp /usr/bin/python3.11 "$PREFIX/bin/python3.11"
cp -a /usr/lib/python3.11 "$PREFIX/lib/python3.11"
rm -f "$PREFIX/lib/python3.11/EXTERNALLY-MANAGED"  # a conda environment is pip's to manage
# conda's layout: packages in PREFIX/lib/python3.11/site-packages, scripts in PREFIX/bin (pip asks
# sysconfig), and that folder on sys.path (Debian's site module is frozen into the interpreter and
# knows only dist-packages: a sitecustomize adds it, .pth files included)
sed -i "s/prefix_scheme = 'posix_local'/prefix_scheme = 'posix_prefix'  # gradescope-image stand-in: conda's layout/" \
    "$PREFIX/lib/python3.11/sysconfig.py"
rm -f "$PREFIX"/lib/python3.11/__pycache__/sysconfig.*  # Debian's .pyc are not checked against their source
rm -f "$PREFIX/lib/python3.11/sitecustomize.py"
cat > "$PREFIX/lib/python3.11/sitecustomize.py" <<'PY'
# gradescope-image stand-in (tools/gradescope_image/README.md): conda's site-packages on sys.path
import os, site, sys
site.addsitedir(os.path.join(sys.prefix, "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
PY
mkdir -p "$PREFIX/lib/python3.11/site-packages"
ln -s python3.11 "$PREFIX/bin/python3"
ln -s python3.11 "$PREFIX/bin/python"
{ echo "#!$PREFIX/bin/python3.11"; tail -n +2 "$STANDIN/mamba"; } > "$PREFIX/bin/mamba"
chmod 755 "$PREFIX/bin/mamba"
ln -s mamba "$PREFIX/bin/conda"
cp "$STANDIN/playwright" "$PREFIX/standin-bin/playwright"
chmod 755 "$PREFIX/standin-bin/playwright"
echo "Miniforge stand-in: done"
