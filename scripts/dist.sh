#!/usr/bin/env bash
# Builds phasegate's release archives, as .github/workflows/release.yml does
# on each of its runners, and their checksums.
#
#   scripts/dist.sh [-o DIR] [-t OS/ARCH]... VERSION
#   scripts/dist.sh [-o DIR] -c VERSION
#
# VERSION is X.Y.Z (a leading v is dropped). For each target (default: this
# machine's OS and architecture) it builds cmd/phasegate with cgo (the
# PostgreSQL parser is C), -trimpath and the version stamped in, and packs
# the binary, LICENSE and README.md into DIR/phasegate_VERSION_OS_ARCH.tar.gz
# (DIR defaults to dist). Then it writes DIR/checksums.txt, the sha256 of
# every phasegate_VERSION_*.tar.gz in DIR. With -c it only writes
# checksums.txt (the release job does so over the four runners' archives).
#
# Linux binaries are linked statically (glibc, netgo and osusergo), so they
# run on any Linux distribution, Alpine included. A target other than this
# machine's needs a C cross compiler: set CC_<os>_<arch> (for example
# CC_linux_arm64=aarch64-linux-gnu-gcc, Debian's gcc-aarch64-linux-gnu);
# aarch64-linux-gnu-gcc and x86_64-linux-gnu-gcc are found on PATH, and on
# macOS clang builds both architectures. A binary built for this machine is
# run once: it must report VERSION (phasegate version), or the script fails.
set -Eeuo pipefail

usage() {
	sed -n '5,6p' "$0" | sed 's/^# *//' >&2
	exit 2
}

out=dist
checksums_only=false
targets=()
while getopts "o:t:ch" opt; do
	case "$opt" in
	o) out="$OPTARG" ;;
	t) targets+=("$OPTARG") ;;
	c) checksums_only=true ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
version="${1#v}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]; then
	echo "dist.sh: version '$1' is not X.Y.Z" >&2
	exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# sha256 prints the hex sha256 of a file (sha256sum on Linux, shasum on macOS).
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

write_checksums() {
	local archives=()
	local f
	for f in "$out"/phasegate_"$version"_*.tar.gz; do
		[ -e "$f" ] && archives+=("$f")
	done
	if [ ${#archives[@]} -eq 0 ]; then
		echo "dist.sh: no phasegate_${version}_*.tar.gz in $out to checksum" >&2
		exit 1
	fi
	: >"$out/checksums.txt.tmp"
	for f in "${archives[@]}"; do
		printf '%s  %s\n' "$(sha256 "$f")" "$(basename "$f")" >>"$out/checksums.txt.tmp"
	done
	LC_ALL=C sort -k2 "$out/checksums.txt.tmp" >"$out/checksums.txt"
	rm "$out/checksums.txt.tmp"
	echo "dist.sh: $out/checksums.txt (${#archives[@]} archives)"
}

if $checksums_only; then
	write_checksums
	exit 0
fi

host_os="$(go env GOHOSTOS)"
host_arch="$(go env GOHOSTARCH)"
[ ${#targets[@]} -gt 0 ] || targets=("$host_os/$host_arch")

# cc_for prints the C compiler for a target, or fails saying what to install.
cc_for() {
	local os="$1" arch="$2" var="CC_${1}_${2}"
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return
	fi
	if [ "$os/$arch" = "$host_os/$host_arch" ]; then
		echo "${CC:-$(go env CC)}"
		return
	fi
	local gnu=""
	case "$os/$arch" in
	linux/arm64) gnu=aarch64-linux-gnu-gcc ;;
	linux/amd64) gnu=x86_64-linux-gnu-gcc ;;
	darwin/arm64 | darwin/amd64)
		if [ "$host_os" = darwin ]; then
			[ "$arch" = amd64 ] && echo "clang -arch x86_64" || echo "clang -arch arm64"
			return
		fi
		;;
	esac
	if [ -n "$gnu" ] && command -v "$gnu" >/dev/null 2>&1; then
		echo "$gnu"
		return
	fi
	echo "dist.sh: no C compiler for $os/$arch on this $host_os/$host_arch machine: set $var (pg_query is C, so cgo needs one${gnu:+; on Debian, apt-get install gcc-${gnu%-gcc} libc6-dev-${arch}-cross})" >&2
	return 1
}

# The archive's timestamps: the commit's time, so two builds of one commit
# give identical archives where GNU tar is available.
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
tar_flags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
	tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch")
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

for target in "${targets[@]}"; do
	os="${target%/*}"
	arch="${target#*/}"
	cc="$(cc_for "$os" "$arch")"
	name="phasegate_${version}_${os}_${arch}"
	dir="$stage/$name"
	mkdir -p "$dir"

	ldflags="-s -w -X main.version=$version"
	tags=""
	if [ "$os" = linux ]; then
		# Static: no glibc version requirement; the pure Go resolver and
		# user lookup keep glibc's NSS (dlopen) out.
		ldflags="$ldflags -linkmode external -extldflags -static"
		tags="netgo,osusergo"
	fi
	echo "dist.sh: building $name (CC=$cc)"
	start=$SECONDS
	# -buildvcs=auto overrides a GOFLAGS=-buildvcs=false: the binary
	# records its commit, and a checkout at tag vX.Y.Z its version.
	(cd "$root" && CGO_ENABLED=1 GOOS="$os" GOARCH="$arch" CC="$cc" \
		go build -trimpath -buildvcs=auto -tags "$tags" -ldflags "$ldflags" -o "$dir/phasegate" ./cmd/phasegate)
	echo "dist.sh: built $name in $((SECONDS - start))s"

	if [ "$os/$arch" = "$host_os/$host_arch" ]; then
		reported="$("$dir/phasegate" version)"
		# shellcheck disable=SC2020 # each of space and parentheses becomes a newline
		if ! tr ' ()' '\n\n\n' <<<"$reported" | grep -qx -e "$version" -e "v$version"; then
			echo "dist.sh: the binary reports '$reported', not $version: build from a clean checkout of tag v$version, or make cmd/phasegate's version() report main.version (set with -X)" >&2
			exit 1
		fi
	fi

	cp "$root/README.md" "$dir/"
	if [ -f "$root/LICENSE" ]; then
		cp "$root/LICENSE" "$dir/"
	else
		echo "dist.sh: warning: the repository has no LICENSE file; $name.tar.gz has none" >&2
	fi
	touch -d "@$epoch" "$dir"/* 2>/dev/null || true
	files=(phasegate README.md)
	[ -f "$dir/LICENSE" ] && files+=(LICENSE)
	# COPYFILE_DISABLE keeps macOS tar from adding ._ metadata files.
	(cd "$dir" && COPYFILE_DISABLE=1 tar ${tar_flags[@]+"${tar_flags[@]}"} -cf - "${files[@]}") | gzip -n -9 >"$out/$name.tar.gz"
	echo "dist.sh: $out/$name.tar.gz"
done

write_checksums
