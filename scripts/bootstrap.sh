# Sourced by ./run and ./test: make sure .venv exists and holds this checkout's package and dependencies.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "helsefellesskap needs Python >= 3.11 (found: $("$python" --version 2>&1))" >&2
  exit 2
fi
stamp="$root/.venv/.installed"
want="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
if [ ! -x "$root/.venv/bin/python" ]; then
  "$python" -m venv "$root/.venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing helsefellesskap and its dependencies into .venv ..." >&2
  "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[dev]" >&2
  echo "$want" > "$stamp"
fi
