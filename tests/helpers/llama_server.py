"""llama-cpp-python's own OpenAI-compatible server with the bundled model, on loopback, as the
server tests and the throughput benchmark use it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx2 as httpx

MODEL_ALIAS = "smol"
API_KEY = "test-key-5f2c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@contextlib.contextmanager
def llama_server(model_path, api_key: str | None = API_KEY, n_ctx: int = 2048, threads: int = 1):
    """Yields (process, base URL); the server is ready when this yields."""
    port = free_port()
    # A portable llama.cpp has its CPU code in a library of its own, which the server does not load.
    serve = ("import runpy, sys; from writer.engine import backends; backends.started(); "
             "sys.argv[0] = 'llama_cpp.server'; runpy.run_module('llama_cpp.server', run_name='__main__')")
    command = [sys.executable, "-c", serve, "--model", str(model_path), "--host", "127.0.0.1",
               "--port", str(port), "--model_alias", MODEL_ALIAS, "--n_ctx", str(n_ctx), "--n_threads", str(threads)]
    if api_key:
        command += ["--api_key", api_key]
    log = tempfile.TemporaryFile()  # a file, not a pipe: the server logs every request and must never block on it
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(url + "/v1/models", headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 120 seconds")
            time.sleep(0.25)
        yield process, url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
