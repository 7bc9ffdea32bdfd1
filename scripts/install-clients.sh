#!/usr/bin/env bash
# Usage: scripts/install-clients.sh
#
# Installs the real Kubernetes clients the node server is tested with, beside the system's own
# tools rather than over them:
#   - kubectl 1.20 from Debian's kubernetes-client package (it speaks SPDY/3.1 end to end for
#     exec, attach and port-forward), unpacked from the .deb into $CLC_CLIENTS_DIR/kubectl-1.20
#     so that a kubectl the host already has stays what it was;
#   - the Kubernetes Python client (PyPI `kubernetes`, WebSocket for exec and port-forward) in a
#     virtualenv at $CLC_CLIENTS_DIR/python.
# Prints nothing but its log lines; a second run checks and returns in about a second.
set -euo pipefail

DIR=${CLC_CLIENTS_DIR:-/var/cache/clc-node/clients}
KUBECTL_DIR=$DIR/kubectl-1.20
PYTHON_DIR=$DIR/python
log() { printf 'install-clients: %s\n' "$*"; }

mkdir -p "$DIR"
if [[ ! -x $KUBECTL_DIR/usr/bin/kubectl ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  log "downloading Debian's kubernetes-client"
  (cd "$work" && apt-get download -q kubernetes-client >/dev/null 2>&1) || {
    apt-get update -q >/dev/null
    (cd "$work" && apt-get download -q kubernetes-client >/dev/null)
  }
  rm -rf "$KUBECTL_DIR"
  dpkg-deb -x "$work"/kubernetes-client_*.deb "$KUBECTL_DIR"
fi
log "kubectl: $("$KUBECTL_DIR/usr/bin/kubectl" version --client --short 2>/dev/null || "$KUBECTL_DIR/usr/bin/kubectl" version --client | head -1)"

if ! "$PYTHON_DIR/bin/python" -c 'import kubernetes' >/dev/null 2>&1; then
  log "installing the Kubernetes Python client into $PYTHON_DIR"
  rm -rf "$PYTHON_DIR"
  python3 -m venv "$PYTHON_DIR"
  "$PYTHON_DIR/bin/pip" install --quiet --disable-pip-version-check 'kubernetes>=29,<38'
fi
log "python client: kubernetes $("$PYTHON_DIR/bin/python" -c 'import kubernetes; print(kubernetes.__version__)')"
