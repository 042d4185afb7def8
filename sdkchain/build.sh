#!/usr/bin/env bash
# Builds the sdkchain test binaries from Go modules into build/sdkchain/bin/ (ignored):
#   simd-v0.50.15   release 1, Cosmos SDK v0.50.15 (app/common + app/v050, wrapper app/v050/go.mod)
#   simd-v0.53.7    release 2, Cosmos SDK v0.53.7  (app/common + app/v053, wrapper app/v053-v0.53.7/go.mod)
#   simd-v0.53.8    release 2's patch release, Cosmos SDK v0.53.8 (app/common + app/v053, wrapper
#                   app/v053/go.mod): the halt-height switch target (consensus-compatible with v0.53.7)
#   simd-v0.50.15-early-handler   release 1 as installed too early (app/common + app/v050-early-handler,
#                   wrapper app/v050/go.mod; `version`: v0.50.15-early): release 1's modules and stores
#                   plus a "v050-to-v053" handler, which x/upgrade refuses before the plan height
#   cosmovisor-v1.5.0  the comparison anchor, Cosmovisor v1.5.0 (wrapper cosmovisor/go.mod), only
#                   with `cosmovisor` or `all`
# A binary is rebuilt only when its inputs change: the wrapper go.mod and go.sum, the app sources,
# the Go version and the link flags (hashed into bin/.<name>.stamp). Go's own caches are used
# (GOMODCACHE, GOCACHE: the Go defaults under $HOME unless set), so a second checkout on the same
# machine, CI's fresh clone included, links from the cache in seconds.
#
# Usage: sdkchain/build.sh [--tidy] [--no-go-ok] [simd|cosmovisor|all]   (default: simd)
#   --no-go-ok    without Go >= 1.23, write the reason to <out>/NO_GO and exit 0 (the CMake build
#                 step: the tests then fail with that message)
#   --tidy        run `go mod tidy` on the assembled module and copy go.mod/go.sum back (maintainers)
#   cosmovisor    build Cosmovisor v1.5.0 through cosmovisor/go.mod (v1.7.1's source is refused by
#                 the module proxy, see README)
# Env: SDKCHAIN_OUT (default <repo>/build/sdkchain), SDKCHAIN_GO_P (go build -p, default 2), GO.
# Exit: 0 built or cached; 3 no Go >= 1.23 found; 1 a build failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${SDKCHAIN_OUT:-$repo/build/sdkchain}
tidy=0
no_go_ok=0
what=simd
for a in "$@"; do
  case $a in
    --tidy) tidy=1 ;;
    --no-go-ok) no_go_ok=1 ;;
    simd|cosmovisor|all) what=$a ;;
    *) echo "sdkchain/build.sh: unknown argument '$a' (usage: build.sh [--tidy] [simd|cosmovisor|all])" >&2; exit 2 ;;
  esac
done

# Go: $GO, else `go` on PATH, else the usual install folder.
go_bin=${GO:-}
if [ -z "$go_bin" ]; then
  if command -v go >/dev/null 2>&1; then go_bin=$(command -v go)
  elif [ -x /usr/local/go/bin/go ]; then go_bin=/usr/local/go/bin/go
  fi
fi
need_go() {
  local msg="sdkchain: $1. The sdkchain tests build a real Cosmos SDK node (simd) with Go >= 1.23:
  install Go (https://go.dev/doc/install, or the golang-go package if it is >= 1.23) and put
  it on PATH (or set GO=/path/to/go), or configure with -DREPLAYER_SDKCHAIN=OFF to leave
  these tests out."
  echo "$msg" >&2
  if [ "$no_go_ok" = 1 ]; then
    # The build goes on; the sdkchain tests fail with this message (they never skip).
    mkdir -p "$out" && printf '%s\n' "$msg" > "$out/NO_GO"
    exit 0
  fi
  exit 3
}
[ -n "$go_bin" ] || need_go "no Go toolchain found (not on PATH, not at /usr/local/go/bin/go)"
go_version=$("$go_bin" env GOVERSION 2>/dev/null || true)
minor=$(printf '%s' "$go_version" | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 23 ]; then
  need_go "found '${go_version:-an unusable go}' at $go_bin"
fi
rm -f "$out/NO_GO"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOTOOLCHAIN=local
mkdir -p "$out/bin" "$out/src"
# One build at a time per output folder (the CMake step and a hand-run build.sh may overlap).
exec 9>"$out/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

hash_inputs() {  # hash_inputs <files...>: one sha256 over names and contents
  for f in "$@"; do printf '%s\n' "${f#"$here"/}"; cat "$f"; done | sha256sum | cut -d' ' -f1
}

now_ms() { date +%s%3N; }

# build_simd <release dir> <version> [<wrapper module dir>] [<binary name>]: the Go sources of
# app/common and app/<release dir>, built against the go.mod/go.sum of app/<wrapper module dir>
# (default: the release dir itself), so one application source serves two SDK patch versions and
# one wrapper module two applications; the binary is simd-<version> unless named.
build_simd() {
  local rel=$1 version=$2 mod=${3:-$1} name=${4:-simd-$2}
  local bin="$out/bin/$name" stamp="$out/bin/.$name.stamp" src="$out/src/$name"
  local ldflags="-X github.com/cosmos/cosmos-sdk/version.Name=sdkchain"
  ldflags+=" -X github.com/cosmos/cosmos-sdk/version.AppName=simd"
  ldflags+=" -X github.com/cosmos/cosmos-sdk/version.Version=$version"
  local inputs=("$here/app/$mod/go.mod" "$here/app/$mod/go.sum" "$here"/app/common/*.go "$here/app/$rel"/*.go)
  local key
  key=$( { hash_inputs "${inputs[@]}"; echo "$go_version $ldflags"; } | sha256sum | cut -d' ' -f1)
  if [ "$tidy" = 0 ] && [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    echo "sdkchain: $name cached ($bin)"
    return 0
  fi
  rm -rf "$src" && mkdir -p "$src"
  cp "$here/app/$mod/go.mod" "$here/app/$mod/go.sum" "$here"/app/common/*.go "$here/app/$rel"/*.go "$src/"
  local t0 t1
  t0=$(now_ms)
  if [ "$tidy" = 1 ]; then
    (cd "$src" && "$go_bin" mod tidy) && cp "$src/go.mod" "$src/go.sum" "$here/app/$mod/"
  fi
  echo "sdkchain: building $name with $go_version (go build -p ${SDKCHAIN_GO_P:-2}) ..."
  if ! (cd "$src" && "$go_bin" build -mod=readonly -p "${SDKCHAIN_GO_P:-2}" -trimpath \
          -ldflags "$ldflags" -o "$bin.tmp" .); then
    echo "sdkchain: building $name failed (sources assembled in $src)" >&2
    return 1
  fi
  mv -f "$bin.tmp" "$bin"
  t1=$(now_ms)
  [ "$tidy" = 1 ] && key=$( { hash_inputs "$here/app/$mod/go.mod" "$here/app/$mod/go.sum" "$here"/app/common/*.go "$here/app/$rel"/*.go; echo "$go_version $ldflags"; } | sha256sum | cut -d' ' -f1)
  printf '%s' "$key" > "$stamp"
  printf 'sdkchain: built %s in %d.%03d s\n' "$name" $(( (t1 - t0) / 1000 )) $(( (t1 - t0) % 1000 ))
}

# Cosmovisor, the comparison anchor, through the wrapper module in cosmovisor/ (v1.5.0: the newest
# release whose source the module proxy serves here; README). Cached like the simd builds.
cosmovisor_version=v1.5.0
build_cosmovisor() {
  local name=cosmovisor-$cosmovisor_version
  local bin="$out/bin/$name" stamp="$out/bin/.$name.stamp" src="$out/src/cosmovisor" key
  key=$( { hash_inputs "$here"/cosmovisor/go.mod "$here"/cosmovisor/go.sum "$here"/cosmovisor/*.go; echo "$go_version"; } | sha256sum | cut -d' ' -f1)
  if [ "$tidy" = 0 ] && [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    echo "sdkchain: $name cached ($bin)"
    return 0
  fi
  rm -rf "$src" && mkdir -p "$src" && cp "$here"/cosmovisor/go.mod "$here"/cosmovisor/go.sum "$here"/cosmovisor/*.go "$src/"
  local t0 t1
  t0=$(now_ms)
  if [ "$tidy" = 1 ]; then
    (cd "$src" && "$go_bin" mod tidy) && cp "$src"/go.mod "$src"/go.sum "$here/cosmovisor/"
  fi
  echo "sdkchain: building $name with $go_version (go build -p ${SDKCHAIN_GO_P:-2}) ..."
  if ! (cd "$src" && "$go_bin" build -mod=readonly -p "${SDKCHAIN_GO_P:-2}" -trimpath \
          -o "$bin.tmp" cosmossdk.io/tools/cosmovisor/cmd/cosmovisor); then
    echo "sdkchain: building $name failed (module assembled in $src)" >&2
    return 1
  fi
  mv -f "$bin.tmp" "$bin"
  t1=$(now_ms)
  [ "$tidy" = 1 ] && key=$( { hash_inputs "$here"/cosmovisor/go.mod "$here"/cosmovisor/go.sum "$here"/cosmovisor/*.go; echo "$go_version"; } | sha256sum | cut -d' ' -f1)
  printf '%s' "$key" > "$stamp"
  printf 'sdkchain: built %s in %d.%03d s\n' "$name" $(( (t1 - t0) / 1000 )) $(( (t1 - t0) % 1000 ))
}

t_all=$(now_ms)
rc=0
if [ "$what" = simd ] || [ "$what" = all ]; then
  build_simd v050 v0.50.15 || rc=1
  build_simd v053 v0.53.7 v053-v0.53.7 || rc=1
  build_simd v053 v0.53.8 || rc=1
  build_simd v050-early-handler v0.50.15-early v050 simd-v0.50.15-early-handler || rc=1
fi
if [ "$what" = cosmovisor ] || [ "$what" = all ]; then
  build_cosmovisor || rc=1
fi
t_end=$(now_ms)
printf 'sdkchain: Go builds took %d.%03d s in all\n' $(( (t_end - t_all) / 1000 )) $(( (t_end - t_all) % 1000 ))
exit $rc
