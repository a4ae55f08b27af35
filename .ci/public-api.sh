#!/usr/bin/env bash
# Lists the crate's public API (with the `mock` feature, as docs.rs builds it)
# and compares it with the committed listing, so that every change to the
# API shows up as a diff in review. With UPDATE_PUBLIC_API=1 it rewrites the
# listing instead.
#
# cargo-public-api reads rustdoc's JSON output, which only nightly rustdoc
# writes; the tool is pinned because each release reads one JSON format.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TOOL_VERSION=0.52.0
readonly LISTING=tests/snapshots/public-api.txt

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if [[ "$(cargo public-api --version 2>/dev/null)" != "cargo-public-api $TOOL_VERSION" ]]; then
    cargo install cargo-public-api --version "$TOOL_VERSION" --locked
fi

# -s leaves out blanket impls (From<T> for T and the like), which every type
# has; auto traits stay, since Send and 'static are part of the promise.
current=$(cargo +nightly public-api -p talktohumans --features mock -s)
if [[ "${UPDATE_PUBLIC_API:-}" == 1 ]]; then
    printf '%s\n' "$current" >"$LISTING"
    echo "wrote $LISTING"
    exit 0
fi
if ! diff -u "$LISTING" <(printf '%s\n' "$current"); then
    echo "error: the public API differs from $LISTING (above)." >&2
    echo "If the change is meant, refresh it with: UPDATE_PUBLIC_API=1 bash .ci/public-api.sh" >&2
    echo "and add a CHANGELOG entry." >&2
    exit 1
fi
echo "the public API matches $LISTING"
