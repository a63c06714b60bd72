# Sourced by scripts/test after scripts/setup.sh: what only the tests need, detected and
# installed like the build's prerequisites, one line each:
# - chromium and chromedriver: the web UI's browser tests drive a headless Chromium.
# - npm, and axe-core from tests/ui's lock file (into ACCORD_AXE_DIR, ~/.cache/accord/axe-core
#   by default, reinstalled when the lock file changes): the browser tests inject it into pages.

if [ -n "${ACCORD_SETUP_TESTS_DONE:-}" ]; then
  return 0
fi

accord_missing=()
for accord_tool in chromium chromedriver npm; do
  if command -v "$accord_tool" >/dev/null; then
    echo "setup: $accord_tool: found $(command -v "$accord_tool")" >&2
  else
    case "$accord_tool" in
      chromium) accord_package=(chromium) ;;
      chromedriver) accord_package=(chromium-driver) ;;
      npm) accord_package=(nodejs npm) ;;
    esac
    echo "setup: $accord_tool: not on PATH; installing ${accord_package[*]}" >&2
    accord_missing+=("${accord_package[@]}")
  fi
done
if ((${#accord_missing[@]})); then
  accord_sudo=""
  [ "$(id -u)" -ne 0 ] && accord_sudo="sudo"
  $accord_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $accord_sudo apt-get install -y -qq "${accord_missing[@]}" >/dev/null
fi
unset accord_tool accord_package accord_missing accord_sudo

accord_axe="${ACCORD_AXE_DIR:-$HOME/.cache/accord/axe-core}"
if cmp -s tests/ui/package-lock.json "$accord_axe/package-lock.json" \
  && [ -f "$accord_axe/node_modules/axe-core/axe.min.js" ]; then
  echo "setup: axe-core: found in $accord_axe" >&2
else
  echo "setup: axe-core: installing into $accord_axe from tests/ui/package-lock.json" >&2
  mkdir -p "$accord_axe"
  cp tests/ui/package.json tests/ui/package-lock.json "$accord_axe/"
  (cd "$accord_axe" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
export ACCORD_AXE_DIR="$accord_axe"
unset accord_axe

export ACCORD_SETUP_TESTS_DONE=1
