#!/usr/bin/env python3
"""Exec and port-forward through the master with the Kubernetes Python client (WebSocket).

Usage:
  python_client.py SERVER exec NAMESPACE POD CONTAINER [STDIN_TEXT|-] COMMAND...
  python_client.py SERVER portforward NAMESPACE POD PORT PATH

Prints one JSON object: for exec {"stdout", "stderr", "returncode"}, for portforward
{"response"} (the whole HTTP/1.0 answer read through the tunnel).
"""
import json
import sys

from kubernetes import client
from kubernetes.stream import portforward, stream


def api(server):
    configuration = client.Configuration()
    configuration.host = server
    return client.CoreV1Api(client.ApiClient(configuration))


def run_exec(core, namespace, pod, container, stdin_text, command):
    response = stream(
        core.connect_get_namespaced_pod_exec, pod, namespace, container=container, command=command,
        stderr=True, stdin=stdin_text != "-", stdout=True, tty=False, _preload_content=False)
    if stdin_text != "-":
        response.write_stdin(stdin_text)
        # The v4 protocol has no stdin half-close: the command must end by itself (e.g. head -n1).
    response.run_forever(timeout=30)
    stdout = response.read_stdout() if response.peek_stdout() else ""
    stderr = response.read_stderr() if response.peek_stderr() else ""
    return {"stdout": stdout, "stderr": stderr, "returncode": response.returncode}


def run_portforward(core, namespace, pod, port, path):
    forward = portforward(core.connect_get_namespaced_pod_portforward, pod, namespace, ports=str(port))
    sock = forward.socket(port)
    sock.setblocking(True)
    sock.settimeout(30)
    sock.sendall(("GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n" % path).encode())
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    error = forward.error(port)
    return {"response": data.decode("utf-8", "replace"), "error": error}


def main():
    server, mode = sys.argv[1], sys.argv[2]
    core = api(server)
    if mode == "exec":
        namespace, pod, container, stdin_text = sys.argv[3:7]
        result = run_exec(core, namespace, pod, container, stdin_text, sys.argv[7:])
    elif mode == "portforward":
        namespace, pod, port, path = sys.argv[3:7]
        result = run_portforward(core, namespace, pod, int(port), path)
    else:
        raise SystemExit("unknown mode %r" % mode)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
