#!/usr/bin/env bash
# The README's demo. Until the trainer lands it shows the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
./build/idml --version
./build/idml --help
