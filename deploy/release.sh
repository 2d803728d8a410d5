#!/usr/bin/env bash
# Builds a release archive for this machine's platform:
#   dist/shaq-bridge-<version>-<target>.tar.gz  (binary without the simulators, stripped;
#   LICENSE, README, CHANGELOG, example settings, deploy files, docs) and its SHA256SUMS line.
# Usage: deploy/release.sh            (run from anywhere in the repository)
# Tag the commit first (git tag v<version>) so `shaq-bridge --version` and the archive agree.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
target=$(rustc -vV | sed -n 's/^host: //p')
name="shaq-bridge-${version}-${target}"

cargo build --locked --profile dist --no-default-features -p bridge-server

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/$name/config"
install -m 0755 target/dist/shaq-bridge "$staging/$name/shaq-bridge"
cp LICENSE README.md CHANGELOG.md "$staging/$name/"
cp config/example.toml "$staging/$name/config/"
cp -r deploy docs "$staging/$name/"
rm -f "$staging/$name/deploy/release.sh"

mkdir -p dist
tar -C "$staging" -czf "dist/$name.tar.gz" "$name"
(cd dist && sha256sum "$name.tar.gz" >> SHA256SUMS && tail -n1 SHA256SUMS)
"$staging/$name/shaq-bridge" --version
