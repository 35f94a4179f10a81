"""Grading on Gradescope: an otter plugin that judges with the project's engine, outside otter's kernel.

``plugin.TrustedGrading`` is listed in the bundle's ``otter_config.json``; ``grade_one`` is the one
call into the engine; ``results`` turns a ``Graded`` into Gradescope's ``results.json``;
``setup_extra.sh`` is appended to otter's ``setup.sh``.  See README, "Gradescope".
"""
