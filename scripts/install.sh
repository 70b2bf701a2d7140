#!/usr/bin/env bash
# Installs phasegate for the GitHub Action: the release binary for this
# runner's OS and architecture, verified against the release's checksums;
# if there is none (a branch or commit ref, a fork, an unreleased version),
# it builds the action's own source with Go (which needs Go and a C
# compiler: the PostgreSQL parser is C).
set -Eeuo pipefail

bin_dir="${RUNNER_TEMP:-/tmp}/phasegate-bin"
mkdir -p "$bin_dir"
version="${VERSION:-${ACTION_REF:-}}"
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in
	x86_64 | amd64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) arch="$(uname -m)" ;;
esac
server="${GITHUB_SERVER_URL:-https://github.com}"
repo="${PHASEGATE_REPOSITORY:-phasegate/phasegate}"

download() {
	[[ "$version" == v* ]] || return 1
	local asset="phasegate_${version#v}_${os}_${arch}.tar.gz"
	local base="$server/$repo/releases/download/$version"
	local tmp
	tmp="$(mktemp -d)"
	echo "phasegate: downloading $asset ($version)"
	curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset" || return 1
	curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt" || return 1
	(cd "$tmp" && grep " $asset\$" checksums.txt | sha256sum -c -) || {
		echo "phasegate: checksum mismatch for $asset" >&2
		exit 1
	}
	tar -xzf "$tmp/$asset" -C "$bin_dir" phasegate
	rm -rf "$tmp"
}

build() {
	if ! command -v go >/dev/null 2>&1; then
		echo "phasegate: no release binary for $os/$arch at '${version:-this ref}', and Go is not installed to build it; add actions/setup-go before this action, or use a released version (uses: $repo@vX.Y.Z)" >&2
		exit 1
	fi
	if [ -n "${ACTION_PATH:-}" ] && [ -f "$ACTION_PATH/go.mod" ]; then
		echo "phasegate: building from the action's source ($ACTION_PATH)"
		(cd "$ACTION_PATH" && CGO_ENABLED=1 go build -trimpath -o "$bin_dir/phasegate" ./cmd/phasegate)
	else
		echo "phasegate: go install github.com/phasegate/phasegate/cmd/phasegate@$version"
		GOBIN="$bin_dir" CGO_ENABLED=1 go install "github.com/phasegate/phasegate/cmd/phasegate@${version:-latest}"
	fi
}

download || build
"$bin_dir/phasegate" version
echo "$bin_dir" >>"${GITHUB_PATH:-/dev/null}"
