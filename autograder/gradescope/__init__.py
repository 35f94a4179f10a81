"""Grading on Gradescope: an otter plugin that judges with the project's engine, outside otter's kernel.

``plugin.TrustedGrading`` is listed in the bundle's ``otter_config.json``; ``grade_one`` is the one
call into the engine; ``results`` turns a ``Graded`` into Gradescope's ``results.json`` (checked
against ``results_schema.json``); ``setup_extra.sh`` is appended to otter's ``setup.sh``;
``otter_placeholder.py`` is the bundle's only otter test, deleted before otter's kernel starts.
See README, "Gradescope".
"""
