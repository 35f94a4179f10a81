
# --- 18.065 autograder: trusted grading (appended to otter's setup.sh by `make release`) ---------
# The grader (otter's Python, as root) imports the project's engine from the bundle's own files.
OTTER_PYTHON=/root/miniforge3/envs/otter-env/bin/python
echo /autograder/source/files > "$($OTTER_PYTHON -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/autograder_18065.pth"
# The student's code runs as this unprivileged user (AUTOGRADER_SANDBOX_USER, set by the plugin).
id -u autograder-student >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin autograder-student
# otter's Python lives under /root: the sandbox user must be able to reach (not list) it to run.
chmod 711 /root
# Suites, reference results and engine: readable by root only.
chmod -R go-rwx /autograder/source
$OTTER_PYTHON -c 'import autograder.gradescope.plugin' && echo "18.065 autograder: plugin importable, sandbox user ready"
