"""``otter run -a dist/<id>/autograder.zip file.py`` imports the bundle's own engine, with no PYTHONPATH.

otter imports the plugin named in the bundle's ``otter_config.json``
(``autograder.gradescope.plugin``) in its own process, whose ``sys.path`` holds nothing of the
bundle: on Gradescope, setup.sh adds the bundle's ``files/`` with a ``.pth`` file
(``setup_extra.sh``); on a TA's machine ``otter run`` unpacks the bundle into a fresh temporary
folder, so no fixed path can be written in advance.  This module is that missing link: the Makefile
copies it into the project's ``.venv`` as a top-level module with a ``.pth`` file that calls
``install()`` at start-up (``make setup``; stdlib only, a few microseconds).

``install()`` puts a finder first on ``sys.meta_path`` that answers for the package ``autograder``
only while the working folder is the ``submission/`` folder of an otter autograder layout
(``../source/otter_config.json`` and ``../source/files/autograder/``, as otter run makes it while it
loads plugins): the package, and so every module of it, then comes from that bundle's ``files/`` --
the engine and suite the bundle was released with, never the project's working copy.  Anywhere
else it answers nothing and imports are untouched.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys

PACKAGE = "autograder"


def bundle_files(cwd: str) -> str | None:
    """The bundle's ``files/`` folder if ``cwd`` is an otter layout's ``submission/`` folder."""
    if os.path.basename(cwd) != "submission":
        return None
    source = os.path.join(os.path.dirname(cwd), "source")
    files = os.path.join(source, "files")
    if (os.path.isfile(os.path.join(source, "otter_config.json"))
            and os.path.isfile(os.path.join(files, PACKAGE, "__init__.py"))):
        return files
    return None


class BundleFinder:
    """Finds ``autograder`` in the bundle otter is running (see the module docstring)."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != PACKAGE or path is not None:
            return None
        try:
            files = bundle_files(os.getcwd())
        except OSError:  # the working folder was deleted
            return None
        if files is None:
            return None
        return importlib.machinery.PathFinder.find_spec(name, [files])

    @classmethod
    def invalidate_caches(cls):
        pass


def install() -> None:
    if not any(getattr(f, "__name__", "") == BundleFinder.__name__ for f in sys.meta_path):
        sys.meta_path.insert(0, BundleFinder)
