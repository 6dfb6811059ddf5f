"""`claimtriage serve` as a child process on a free loopback port, for the main job, the serve benchmark and the
real-server test: start it, wait until `/readyz` says ready, stop the whole process group (BentoML's arbiter and
its workers) however the block ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence


class ServerError(RuntimeError):
    """The server stopped or did not become ready; the message ends with the tail of its log."""


@dataclass(frozen=True)
class RunningServer:
    url: str
    process: subprocess.Popen
    log_path: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@contextmanager
def running_server(args: list[str], *, workdir: Path, env: dict[str, str | None] | None = None,
                   timeout_s: float = 180) -> Iterator[RunningServer]:
    """`claimtriage serve --host 127.0.0.1 --port <free> ARGS`, logging to WORKDIR/server.log. `env` is added to
    this process's environment (a None value removes the variable)."""
    import httpx

    port = free_port()
    command = [str(Path(sys.executable).with_name("claimtriage")), "serve", "--host", "127.0.0.1", "--port",
               str(port), *args]
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        child_env = {**os.environ, **(env or {})}
        process = subprocess.Popen(command, env={k: v for k, v in child_env.items() if v is not None}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    started: list = []  # the workers, recorded once ready, while their arbiter is alive to name them
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise ServerError(f"the server stopped (exit {process.returncode}):\n{_log_tail(log_path)}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"the server was not ready within {timeout_s:.0f} s:\n{_log_tail(log_path)}")
            time.sleep(0.5)
        started = _family(process)
        yield RunningServer(url=url, process=process, log_path=log_path)
    finally:
        stop(process, also=started)


def _family(process: subprocess.Popen) -> list:
    """Every process `process` started, directly or not (empty once it is gone: orphans are re-parented)."""
    import psutil

    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _kill_each(processes: Sequence) -> None:
    import psutil

    for member in processes:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process group and every descendant (BentoML's workers run in sessions of their own)."""
    family = _family(process)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _kill_each(family)


def stop(process: subprocess.Popen, timeout_s: float = 30, also: Sequence = ()) -> None:
    """Stop the server's process group, then whatever it started outside it: BentoML starts each worker in a session
    of its own, so a worker whose arbiter died first would otherwise live on, holding a model in memory. `also`:
    processes recorded earlier (the arbiter may be gone by now, and its workers no longer its children)."""
    import psutil

    family = list({p.pid: p for p in [*also, *_family(process)]}.values())
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    _, alive = psutil.wait_procs(family, timeout=5)
    _kill_each(alive)
    psutil.wait_procs(alive, timeout=10)
