#!/usr/bin/env bash
# Builds a release for this machine's platform (x86_64 or aarch64 Linux with glibc):
#
#   dist/shaq-bridge-<version>-<target>.tar.gz   the binary (profile `dist`: optimised, stripped,
#                                                without the simulators), LICENSE, README,
#                                                CHANGELOG, example settings, deploy files, docs,
#                                                and BUILD-INFO.txt (what it needs to run)
#   dist/SHA256SUMS                              one line added for the archive
#   shaq-bridge:<version> (with --image)         the container image of deploy/Dockerfile
#
# The binary is "static-ish": TLS (rustls, with Mozilla's roots built in), SQLite and every
# other library are compiled in; it links only the C library itself (libc, libm, libgcc_s), so
# it runs on any Linux whose glibc is at least the one BUILD-INFO.txt names — build on the
# oldest distribution you deploy to. This script checks that and fails if anything else is
# linked. It does not cross-compile, and makes no musl build.
#
# Usage: deploy/release.sh [--image]        (from anywhere in the repository)
# Tag the commit first (git tag v<version>) so `shaq-bridge --version` and the archive agree.
set -euo pipefail
cd "$(dirname "$0")/.."

image=false
for argument in "$@"; do
  case "$argument" in
    --image) image=true ;;
    *) echo "usage: deploy/release.sh [--image]" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
target=$(rustc -vV | sed -n 's/^host: //p')
name="shaq-bridge-${version}-${target}"

cargo build --locked --profile dist --no-default-features -p bridge-server
binary=target/dist/shaq-bridge

# Only the C library may be linked dynamically.
unexpected=$(ldd "$binary" | awk '{print $1}' \
  | grep -Ev '^(linux-vdso\.so|libc\.so|libm\.so|libgcc_s\.so|libpthread\.so|libdl\.so|librt\.so|/lib.*/ld-linux)' || true)
if [ -n "$unexpected" ]; then
  echo "release: the binary links more than the C library: $unexpected" >&2
  exit 1
fi
glibc=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1 | sed 's/GLIBC_//')

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/$name/config"
install -m 0755 "$binary" "$staging/$name/shaq-bridge"
cp LICENSE README.md CHANGELOG.md "$staging/$name/"
cp config/example.toml "$staging/$name/config/"
cp -r deploy docs "$staging/$name/"
rm -f "$staging/$name/deploy/release.sh"
cat > "$staging/$name/BUILD-INFO.txt" <<INFO
shaq-bridge $("$binary" --version | sed 's/^shaq-bridge //')
target:   $target
needs:    Linux with glibc $glibc or newer (nothing else: TLS roots, SQLite are built in)
built by: $(rustc -V)
INFO

mkdir -p dist
tar -C "$staging" -czf "dist/$name.tar.gz" "$name"
(cd dist && sha256sum "$name.tar.gz" >> SHA256SUMS && tail -n1 SHA256SUMS)
cat "$staging/$name/BUILD-INFO.txt"

if $image; then
  if ! docker info >/dev/null 2>&1; then
    echo "release: --image needs a running Docker; the archive is built, the image is not" >&2
    exit 1
  fi
  docker build -f deploy/Dockerfile \
    --build-arg GIT_REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    -t "shaq-bridge:${version}" .
  echo "image: shaq-bridge:${version}"
fi
