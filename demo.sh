#!/usr/bin/env bash
# The demo of the README's first command: rewrite, lint and verify the bundled Flyte 1 project
# (fixtures/demo) in a scratch copy, showing each step's output. The repository is never modified.
set -euo pipefail
cd "$(dirname "$0")"

work=$(mktemp -d "${TMPDIR:-/tmp}/flytemigrate-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r fixtures/demo "$work/original"
cp -r fixtures/demo "$work/converted"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "0. lint the Flyte 1 original: what will not work on Flyte 2 as it is"
flytemigrate lint --exit-zero "$work/original"

step "1. rewrite --diff: what flytemigrate would change"
flytemigrate rewrite --diff "$work/converted" || true

step "2. rewrite: convert in place (scratch copy)"
flytemigrate rewrite "$work/converted"

step "3. lint the converted project (pre-commit/CI view)"
flytemigrate lint "$work/converted" || true

step "4. run the converted workflow on the bundled runtime"
flytemigrate run "$work/converted/pipeline.py" main --n 5 --factor 3

step "5. verify: Flyte 1 original under flytekit vs converted code, same inputs"
flytemigrate verify "$work/original/pipeline.py" "$work/converted/pipeline.py"
