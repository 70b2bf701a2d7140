#!/bin/sh
# make-app-repo.sh APP DIR [VARIANT] builds a git repository from an
# example app of testdata (alembicapp, djangoapp, captureapp): branch main
# holds APP/base/ (the release production runs) and branch feature, checked
# out, holds base/ with head/ over it (a migration that adds a column and
# drops another, and the app no longer reading it), and VARIANT/ over both
# when given (split: the same after phasegate split --emit-sql, the drop
# deferred, as a revision for Alembic and as SQL for Django; broken: a
# migration that fails). head/ holds only what
# differs from base/, a variant only what differs from head/.
set -eu
here=$(cd "$(dirname "$0")/${1:?usage: make-app-repo.sh APP DIR [VARIANT]}" && pwd)
dest=${2:?usage: make-app-repo.sh APP DIR [VARIANT]}
variant=${3:-}
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
if [ -n "$variant" ]; then cp -R "$here/$variant/." .; fi
git add -A
git commit -qm "Show display names; stop using legacy_flags"
echo "$(basename "$here") repository ready in $dest (branch feature, base main)" >&2
