"""Decode speed through Writer's server engine versus a bare streaming httpx client, on the same
llama-cpp-python server (started here on loopback with the bundled model); then how soon after
Stop the server's CPU goes quiet.

Runs alternate, ROUNDS times each, so both see the same machine load; both are timed the same way
on the client side (first to last streamed token). Not a test: run it by hand.
The last line printed is JSON: {"bare_tok_s": ..., "writer_tok_s": ..., "ratio": writer/bare,
"stop_to_quiet_ms": ..., "cpu_ms_in_second_after_stop": ... (the worst of 5 Stops; CPU ticks are 10 ms),
"writer_client_cpu_us_per_token": ..., "bare_client_cpu_us_per_token": ...}. On a loaded machine the
speeds scatter; the client CPU per token says what Writer's side adds regardless.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx2 as httpx  # noqa: E402

from tests.helpers.llama_server import API_KEY, MODEL_ALIAS, cpu_seconds, llama_server  # noqa: E402
from writer.core.events import Delta  # noqa: E402
from writer.core.paths import default_model_path  # noqa: E402
from writer.engine.remote import RemoteEngine  # noqa: E402

TOKENS = 256
ROUNDS = 5
MESSAGES = [{"role": "user", "content": "Write a long story about a lighthouse keeper and a storm."}]


def tokens_per_s(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0])


def writer_round(engine: RemoteEngine) -> list[float]:
    times = []
    for event in engine.generate(MESSAGES, max_tokens=TOKENS, temperature=0):
        if isinstance(event, Delta):
            times.append(time.perf_counter())
    return times


def bare_round(client: httpx.Client, url: str) -> list[float]:
    times = []
    body = {"model": MODEL_ALIAS, "messages": MESSAGES, "max_tokens": TOKENS, "temperature": 0, "stream": True}
    with client.stream("POST", url + "/v1/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                delta = json.loads(line[6:])["choices"][0]["delta"]
                if delta.get("content"):
                    times.append(time.perf_counter())
    return times


def stop_to_idle(engine: RemoteEngine, pid: int) -> tuple[float, float]:
    """After cancel(): milliseconds until the server's CPU goes quiet (the end of the run of CPU
    ticks, under 100 ms apart, that follows Stop), and its CPU milliseconds in the second after."""
    generation = engine.generate(MESSAGES, max_tokens=1000, temperature=0)
    events = iter(generation)
    for _ in range(10):
        next(events)
    stopped = time.perf_counter()
    generation.cancel()
    list(events)
    start_cpu = last_cpu = cpu_seconds(pid)
    quiet_at, last_tick = 0.0, stopped
    while time.perf_counter() - stopped < 1.0:
        time.sleep(0.005)
        cpu, now = cpu_seconds(pid), time.perf_counter()
        if cpu != last_cpu:
            if now - last_tick < 0.1:
                quiet_at, last_tick = now - stopped, now
            last_cpu = cpu
    return quiet_at * 1000, (cpu_seconds(pid) - start_cpu) * 1000


def main() -> None:
    with llama_server(default_model_path(), n_ctx=2048) as (process, url):
        engine = RemoteEngine(url, api_key=API_KEY)
        engine.load()
        client = httpx.Client(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
        bare_round(client, url)  # warm-up: the prompt lands in the server's cache for both
        writer, bare = [], []
        cpu = {"writer": [], "bare": []}  # this process's CPU per token: what the client itself costs
        variants = [("writer", lambda: writer_round(engine), writer), ("bare", lambda: bare_round(client, url), bare)]
        for i in range(ROUNDS):
            for name, run, into in variants if i % 2 == 0 else variants[::-1]:  # neither always goes first
                started = time.process_time()
                times = run()
                cpu[name].append((time.process_time() - started) / len(times) * 1e6)
                into.append(tokens_per_s(times))
                print(f"round {i + 1} {name:6s} {len(times)} tokens  {into[-1]:.1f} tok/s  "
                      f"client CPU {cpu[name][-1]:.0f} µs/token", flush=True)
        stops = [stop_to_idle(engine, process.pid) for _ in range(5)]
        for quiet, stop_cpu in stops:
            print(f"stop: quiet after {quiet:.0f} ms, {stop_cpu:.0f} ms of server CPU in the second after", flush=True)
        engine.close()
        client.close()
    result = {"bare_tok_s": round(statistics.median(bare), 1), "writer_tok_s": round(statistics.median(writer), 1)}
    result["ratio"] = round(result["writer_tok_s"] / result["bare_tok_s"], 3)
    for name, values in cpu.items():
        result[f"{name}_client_cpu_us_per_token"] = round(statistics.median(values))
    result["stop_to_quiet_ms"] = max(round(quiet) for quiet, _ in stops)
    result["cpu_ms_in_second_after_stop"] = max(round(cpu) for _, cpu in stops)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
