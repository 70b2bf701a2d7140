#!/usr/bin/env bash
# Installs phasegate from a GitHub release: it finds the release through the
# REST API, downloads phasegate_X.Y.Z_OS_ARCH.tar.gz and checksums.txt, and
# installs the binary only if the archive's sha256 is the one checksums.txt
# lists. Needs bash, curl, tar and sha256sum (or shasum); not Go.
#
#   install.sh [-b DIR] [-r OWNER/REPO] [VERSION]
#   curl -fsSL https://raw.githubusercontent.com/phasegate/phasegate/v1/scripts/install.sh | bash -s -- -b ~/.local/bin
#
# VERSION is latest (the default), vX (the newest vX.Y.Z release), vX.Y (the
# newest vX.Y.Z) or vX.Y.Z; the v is optional. DIR defaults to ./bin.
#
# Environment: GITHUB_API_URL (default https://api.github.com; GitHub
# Enterprise Server: https://HOST/api/v3), GH_TOKEN or GITHUB_TOKEN (sent to
# GITHUB_API_URL only; optional for a public repository, it raises the rate
# limit), PHASEGATE_API_URL and PHASEGATE_TOKEN (another server for the
# releases, for example github.com's from a GitHub Enterprise Server runner;
# the workflow's token is not sent there).
#
# With --action (action.yml), VERSION defaults to $VERSION, else the action's
# ref ($ACTION_REF); the binary goes to the runner's tool cache
# ($RUNNER_TOOL_CACHE/phasegate/X.Y.Z/ARCH), where later steps and runs of
# the job find it, and onto $GITHUB_PATH. A ref that is not a release (a
# branch, a commit, a fork without releases, VERSION=source) or a platform
# without release binaries builds the action's own source ($ACTION_PATH) with
# Go instead, and says so.
set -Eeuo pipefail

# die stops with a message (an error annotation in GitHub Actions).
die() {
	if [ "${action:-false}" = true ]; then
		echo "::error title=phasegate install::phasegate: $*" >&2
	else
		echo "phasegate: $*" >&2
	fi
	exit 1
}

usage() {
	sed -n '8,9p' "$0" | sed 's/^# *//' >&2
	exit 2
}

action=false
bin_dir=./bin
repo="${PHASEGATE_REPOSITORY:-phasegate/phasegate}"
version=""
while [ $# -gt 0 ]; do
	case "$1" in
	--action) action=true ;;
	-b)
		[ $# -ge 2 ] || usage
		bin_dir="$2"
		shift
		;;
	-r)
		[ $# -ge 2 ] || usage
		repo="$2"
		shift
		;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[ -z "$version" ] || usage
		version="$1"
		;;
	esac
	shift
done
if $action; then
	version="${version:-${VERSION:-${ACTION_REF:-}}}"
	repo="${ACTION_REPOSITORY:-$repo}"
else
	version="${version:-latest}"
fi

own_api="${GITHUB_API_URL:-https://api.github.com}"
own_api="${own_api%/}"
api="${PHASEGATE_API_URL:-$own_api}"
api="${api%/}"
token="${PHASEGATE_TOKEN:-}"
if [ -z "$token" ] && [ "$api" = "$own_api" ]; then
	token="${GH_TOKEN:-${GITHUB_TOKEN:-}}"
fi

case "$(uname -s)" in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) os="" ;;
esac
case "$(uname -m)" in
x86_64 | amd64) arch=amd64 cache_arch=x64 ;;
aarch64 | arm64) arch=arm64 cache_arch=arm64 ;;
*) arch="" cache_arch="" ;;
esac

if command -v sha256sum >/dev/null 2>&1; then
	sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
	sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
	die "neither sha256sum nor shasum is installed: a download could not be verified"
fi
command -v curl >/dev/null 2>&1 || die "curl is not installed"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The token goes to curl in a file, not on its command line (ps shows that).
(umask 077 && : >"$tmp/headers")
if [ -n "$token" ]; then
	echo "Authorization: Bearer $token" >"$tmp/headers"
fi

# The functions below return results in globals (status, tag, url), not on
# stdout: die in a command substitution would only end the subshell.

# get URL FILE [ACCEPT] downloads URL into FILE and sets status to the HTTP
# status. curl follows redirects and sends the token to the API's host only.
get() {
	status="$(curl -sS -L --retry 3 --connect-timeout 30 -o "$2" -w '%{http_code}' \
		-H "Accept: ${3:-application/vnd.github+json}" -H "X-GitHub-Api-Version: 2022-11-28" \
		-H @"$tmp/headers" "$1")" || die "cannot reach $1 (curl failed; see above)"
}

# api_error FILE describes a failed response: its status and GitHub's message.
api_error() {
	local msg
	msg="$(grep -o '"message": *"[^"]*"' "$1" 2>/dev/null | head -1 | sed 's/^"message": *"//; s/"$//')" || true
	echo "HTTP $status${msg:+: $msg}"
}

# release_by_tag TAG reads the release into $tmp/release.json. It fails
# when there is no such published release (404, a draft, a prerelease).
release_by_tag() {
	get "$api/repos/$repo/releases/tags/$1" "$tmp/release.json"
	case "$status" in
	200) ! grep -q -e '"draft": *true' -e '"prerelease": *true' "$tmp/release.json" ;;
	404) return 1 ;;
	*) die "cannot read release $1 of $repo from $api: $(api_error "$tmp/release.json")" ;;
	esac
}

# resolve VERSION sets tag to the release VERSION names, with its JSON in
# $tmp/release.json, or to "" when it names none (no such release, or
# VERSION is not a version: a branch, a commit).
resolve() {
	local v="${1#v}" page=1 n pattern candidate
	tag=""
	if [ "$1" = latest ]; then
		get "$api/repos/$repo/releases/latest" "$tmp/release.json"
		case "$status" in
		200) tag="$(grep -o '"tag_name": *"[^"]*"' "$tmp/release.json" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')" ;;
		404) ;;
		*) die "cannot read the latest release of $repo from $api: $(api_error "$tmp/release.json")" ;;
		esac
		return 0
	fi
	if [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
		if release_by_tag "v$v"; then tag="v$v"; fi
		return 0
	fi
	# A major (vX) or minor (vX.Y) version: the newest vX.Y.Z release under
	# it. The list is newest first, 100 a page.
	if [[ "$v" =~ ^[0-9]+$ ]]; then
		pattern="^v${v}[.][0-9]+[.][0-9]+\$"
	elif [[ "$v" =~ ^[0-9]+\.[0-9]+$ ]]; then
		pattern="^v${v%.*}[.]${v#*.}[.][0-9]+\$"
	else
		return 0
	fi
	: >"$tmp/tags"
	while [ "$page" -le 10 ]; do
		get "$api/repos/$repo/releases?per_page=100&page=$page" "$tmp/page.json"
		[ "$status" = 200 ] || die "cannot list the releases of $repo at $api: $(api_error "$tmp/page.json")"
		grep -o '"tag_name": *"[^"]*"' "$tmp/page.json" | sed 's/.*"\([^"]*\)"$/\1/' >>"$tmp/tags" || true
		n="$(grep -c '"tag_name":' "$tmp/page.json" || true)"
		[ "$n" -ge 100 ] || break
		page=$((page + 1))
	done
	grep -E "$pattern" "$tmp/tags" | sed 's/^v//' | sort -t. -k1,1nr -k2,2nr -k3,3nr >"$tmp/candidates" || true
	while read -r candidate; do
		if release_by_tag "v$candidate"; then
			tag="v$candidate"
			return 0
		fi
	done <"$tmp/candidates"
}

# asset_url NAME sets url to the API URL of the asset NAME of the release in
# $tmp/release.json, or "". Each asset has one "url" (.../releases/assets/ID)
# and one "browser_download_url" (.../NAME), in the same order.
asset_url() {
	grep -o '"browser_download_url": *"[^"]*"' "$tmp/release.json" | sed 's/.*"\([^"]*\)"$/\1/; s#.*/##' >"$tmp/names" || true
	grep -o '"url": *"[^"]*/releases/assets/[0-9]*"' "$tmp/release.json" | sed 's/.*"\([^"]*\)"$/\1/' >"$tmp/urls" || true
	if [ "$(wc -l <"$tmp/names")" != "$(wc -l <"$tmp/urls")" ]; then
		die "cannot read the assets of $tag: the release JSON from $api is not what GitHub sends"
	fi
	url="$(paste "$tmp/names" "$tmp/urls" | awk -F '\t' -v n="$1" '$1 == n { print $2; exit }')"
}

# download_release DIR downloads, verifies and unpacks the binary of release
# $tag for this platform into DIR. Nothing is written to DIR unless the
# archive's sha256 is the one checksums.txt lists.
download_release() {
	local dir="$1" name="phasegate_${tag#v}_${os}_${arch}.tar.gz" archive_url want got
	asset_url "$name"
	if [ -z "$url" ]; then
		local hint=""
		$action && hint=" To build from source instead, set the action's input version: source."
		die "release $tag of $repo has no $name (it has: $(paste -s -d ' ' "$tmp/names")). Nothing was installed.$hint"
	fi
	archive_url="$url"
	asset_url checksums.txt
	[ -n "$url" ] || die "release $tag of $repo has no checksums.txt, so $name cannot be verified. Nothing was installed."

	echo "phasegate: downloading $name ($tag of $repo)"
	get "$archive_url" "$tmp/$name" application/octet-stream
	[ "$status" = 200 ] || die "downloading $name of $tag: $(api_error "$tmp/$name")"
	get "$url" "$tmp/checksums.txt" application/octet-stream
	[ "$status" = 200 ] || die "downloading checksums.txt of $tag: $(api_error "$tmp/checksums.txt")"

	want="$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' "$tmp/checksums.txt")"
	[ -n "$want" ] || die "checksums.txt of $tag lists no $name, so it cannot be verified. Nothing was installed."
	got="$(sha256 "$tmp/$name")"
	if [ "$got" != "$want" ]; then
		die "checksum mismatch for $name of $tag: checksums.txt says sha256 $want, the download is $got. The download is corrupt or was tampered with; nothing was installed."
	fi
	echo "phasegate: sha256 $got matches checksums.txt"

	mkdir -p "$tmp/unpack"
	tar -xzf "$tmp/$name" -C "$tmp/unpack" phasegate || die "$name of $tag has no phasegate binary. Nothing was installed."
	mkdir -p "$dir"
	# Rename into place, so a concurrent or interrupted install never leaves
	# half a binary.
	cp "$tmp/unpack/phasegate" "$dir/.phasegate.$$"
	chmod 0755 "$dir/.phasegate.$$"
	mv -f "$dir/.phasegate.$$" "$dir/phasegate"
}

# build_from_source REASON builds the action's own checkout with Go into dir.
build_from_source() {
	echo "::notice title=phasegate install::phasegate: $1"
	echo "phasegate: building phasegate from the action's source with Go; this takes about 3 minutes on a fresh runner (cgo compiles the PostgreSQL parser), seconds with a warm Go build cache. A release ref (uses: phasegate/phasegate@v1) downloads a verified binary instead."
	if ! command -v go >/dev/null 2>&1; then
		die "Go is not installed, so phasegate cannot be built: add actions/setup-go (Go 1.26 or later) and a C compiler before this step, or use a release (uses: phasegate/phasegate@v1)"
	fi
	if [ -z "${ACTION_PATH:-}" ] || [ ! -f "$ACTION_PATH/go.mod" ]; then
		die "the action's source is not at ACTION_PATH='${ACTION_PATH:-}'"
	fi
	local start=$SECONDS
	dir="${RUNNER_TEMP:-$tmp}/phasegate-source"
	(cd "$ACTION_PATH" && CGO_ENABLED=1 go build -trimpath -o "$dir/phasegate" ./cmd/phasegate) ||
		die "building phasegate from $ACTION_PATH failed (see above)"
	echo "phasegate: built from source in $((SECONDS - start))s"
}

dir=""
if $action; then
	reason=""
	if [ -z "$os" ] || [ -z "$arch" ]; then
		reason="no release binaries for $(uname -s)/$(uname -m) (releases have linux and darwin, amd64 and arm64)"
	elif [ "$version" = source ]; then
		reason="version: source"
	elif [ -z "$version" ]; then
		reason="the action is not used at a ref (uses: ./ or a local path)"
	else
		cache="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-$tmp}/tool-cache}/phasegate"
		# An exact version already in the tool cache needs no request.
		v="${version#v}"
		if [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ -f "$cache/$v/$cache_arch.complete" ]; then
			tag="v$v"
		else
			resolve "$version"
		fi
		if [ -z "$tag" ]; then
			reason="$version is not a release of $repo (a branch, a commit, a fork, or a version not released yet)"
		else
			dir="$cache/${tag#v}/$cache_arch"
			if [ -f "$dir.complete" ] && [ -x "$dir/phasegate" ]; then
				echo "phasegate: $tag from the tool cache ($dir)"
			else
				rm -f "$dir.complete"
				download_release "$dir"
				touch "$dir.complete"
			fi
		fi
	fi
	if [ -n "$reason" ]; then
		build_from_source "$reason"
	fi
	"$dir/phasegate" version || die "the installed binary $dir/phasegate does not run"
	echo "$dir" >>"${GITHUB_PATH:-/dev/null}"
	exit 0
fi

if [ -z "$os" ] || [ -z "$arch" ]; then
	die "no release binaries for $(uname -s)/$(uname -m) (releases have linux and darwin, amd64 and arm64); build it instead: go install github.com/phasegate/phasegate/cmd/phasegate@latest (needs Go and a C compiler)"
fi
resolve "$version"
if [ -z "$tag" ]; then
	die "$version is not a release of $repo at $api; for a branch or commit, build it: go install github.com/phasegate/phasegate/cmd/phasegate@REF (needs Go and a C compiler)"
fi
download_release "$bin_dir"
echo "phasegate: installed $bin_dir/phasegate"
"$bin_dir/phasegate" version
