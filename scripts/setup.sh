# Sourced by scripts/build, scripts/serve, scripts/test, scripts/client-test and .ci/run.
# Installs the system packages the build needs when they are missing and routes C/C++ compiles
# through ccache. Each prerequisite is detected by what the build really uses, and one line per
# prerequisite says what was found and how, so a CI log shows whether an install step ran:
# - libclang: the shared library bindgen (RocksDB's bindings) loads at build time, libclang.so or
#   libclang-N.so; libclang-cpp.so, which the image ships, is a different library and does not do.
# - ccache: makes rebuilding RocksDB's C++ take minutes instead of a quarter of an hour.
# - c++: RocksDB is C++.
# - wrk: the load the serving benchmark puts on the server (the test run exercises it briefly).
# - curl, openssl: the README's examples, which the tests run, call them.
# - git: the tests build repositories for `diff --against` (accord itself reads them with gix).
# - PostgreSQL: the PostgreSQL store's tests start a server of their own (initdb, pg_ctl).
# - python3 with yaml and requests: the README runs the seeds' registration script.
# What only the tests need (a browser) is in scripts/setup-tests.sh.

# Once per shell: scripts sourced from a script that already ran it (as .ci/run does) inherit it.
if [ -n "${ACCORD_SETUP_DONE:-}" ]; then
  return 0
fi

accord_find_libclang() {
  local dir file
  for dir in ${LIBCLANG_PATH:-} /usr/lib/llvm-*/lib /usr/lib/*-linux-gnu /usr/lib /usr/local/lib; do
    [ -d "$dir" ] || continue
    for file in "$dir"/libclang.so "$dir"/libclang.so.* "$dir"/libclang-[0-9]*.so "$dir"/libclang-[0-9]*.so.*; do
      [ -e "$file" ] && { echo "$file"; return 0; }
    done
  done
  return 1
}

accord_missing=()
if accord_libclang="$(accord_find_libclang)"; then
  echo "setup: libclang: found $accord_libclang" >&2
else
  echo "setup: libclang: no libclang.so in LIBCLANG_PATH or /usr/lib; installing libclang-dev" >&2
  accord_missing+=(libclang-dev)
fi
if command -v ccache >/dev/null; then
  echo "setup: ccache: found $(command -v ccache)" >&2
else
  echo "setup: ccache: not on PATH; installing ccache" >&2
  accord_missing+=(ccache)
fi
if command -v c++ >/dev/null; then
  echo "setup: c++: found $(command -v c++)" >&2
else
  echo "setup: c++: not on PATH; installing g++" >&2
  accord_missing+=(g++)
fi
# The README's examples, which the tests run, use curl and openssl; the tests use git.
for accord_tool in curl openssl git; do
  if command -v "$accord_tool" >/dev/null; then
    echo "setup: $accord_tool: found $(command -v "$accord_tool")" >&2
  else
    echo "setup: $accord_tool: not on PATH; installing $accord_tool" >&2
    accord_missing+=("$accord_tool")
  fi
done
unset accord_tool
if python3 -c "import yaml, requests" 2>/dev/null; then
  echo "setup: python3 yaml, requests: found" >&2
else
  echo "setup: python3 with yaml and requests: missing; installing python3-yaml python3-requests" >&2
  accord_missing+=(python3 python3-yaml python3-requests)
fi
if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup: postgresql: found $(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)" >&2
else
  echo "setup: postgresql: no initdb; installing postgresql" >&2
  accord_missing+=(postgresql)
fi
if command -v wrk >/dev/null; then
  echo "setup: wrk: found $(command -v wrk)" >&2
else
  echo "setup: wrk: not on PATH; installing wrk" >&2
  accord_missing+=(wrk)
fi
if ((${#accord_missing[@]})); then
  accord_sudo=""
  [ "$(id -u)" -ne 0 ] && accord_sudo="sudo"
  $accord_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $accord_sudo apt-get install -y -qq "${accord_missing[@]}" >/dev/null
  if [[ " ${accord_missing[*]} " == *" libclang-dev "* ]] && ! accord_libclang="$(accord_find_libclang)"; then
    echo "setup: libclang-dev installed, but no libclang.so found; set LIBCLANG_PATH" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
unset accord_missing accord_sudo accord_libclang

export CC="ccache cc"
export CXX="ccache c++"
export ACCORD_SETUP_DONE=1
