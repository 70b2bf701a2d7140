#!/bin/sh
# make-repo.sh DIR builds a git repository from the example's two versions:
# branch main holds base/ (tagged v1.0.0, the release production runs) and
# branch feature, checked out, holds head/ (the pull request).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: make-repo.sh DIR}
rm -rf "$dest"
mkdir -p "$dest"
cd "$dest"
git init -q -b main
git config user.email example@phasegate.invalid
git config user.name "phasegate example"
cp -R "$here/base/." .
git add -A
git commit -qm "v1: users and orders"
git tag v1.0.0
git checkout -qb feature
git rm -rq .
cp -R "$here/head/." .
git add -A
git commit -qm "Show display names; stop using legacy_flags"
echo "example repository ready in $dest (branch feature, base main)" >&2
