"""Test suites: ``<id>/q*.py`` are otter test files (one per question); ``<id>/shared.py``, where
present, holds judges that several questions of that assignment use (shipped with the bundle)."""
