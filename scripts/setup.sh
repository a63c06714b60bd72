# Sourced by scripts/build, scripts/test and .ci/run. Installs the system packages the build
# needs when they are missing (RocksDB's Rust bindings need libclang; ccache makes rebuilding
# its C++ take minutes instead of a quarter of an hour) and routes C/C++ compiles through ccache.

missing=()
if ! compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null && ! compgen -G "/usr/lib/*/libclang*.so*" >/dev/null; then
  missing+=(libclang-dev)
fi
command -v ccache >/dev/null || missing+=(ccache)
command -v c++ >/dev/null || missing+=(g++)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} (needed to build RocksDB)" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export CC="ccache cc"
export CXX="ccache c++"
