#!/bin/sh
# make-app-repo.sh APP DIR [split] builds a git repository from an example
# app of testdata (alembicapp, djangoapp): branch main holds APP/base/ (the
# release production runs) and branch feature, checked out, holds base/
# with head/ over it (a migration that adds a column and drops another,
# and the app no longer reading it), or with split/ over both (the same
# after phasegate split --emit-sql: the drop deferred, as SQL). head/ holds
# only what differs from base/, split/ only what differs from head/.
set -eu
here=$(cd "$(dirname "$0")/${1:?usage: make-app-repo.sh APP DIR [split]}" && pwd)
dest=${2:?usage: make-app-repo.sh APP DIR [split]}
variant=head
if [ "${3:-}" = split ]; then variant=split; fi
rm -rf "$dest"
mkdir -p "$dest"
cd "$dest"
git init -q -b main
git config user.email example@phasegate.invalid
git config user.name "phasegate example"
cp -R "$here/base/." .
git add -A
git commit -qm "v1: users"
git checkout -qb feature
cp -R "$here/head/." .
[ "$variant" = split ] && cp -R "$here/split/." .
git add -A
git commit -qm "Show display names; stop using legacy_flags"
echo "$(basename "$here") repository ready in $dest (branch feature, base main)" >&2
