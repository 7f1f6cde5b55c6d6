"""Running jobs on a Dask cluster: connecting to its scheduler, and submitting tasks that survive a lost worker.

The benchmark (:func:`restoration.benchmark.run_benchmark`) and the batch restoration of a folder
(:func:`restoration.batch.restore_folder`) run their jobs either in local worker processes or, given
the address of a Dask scheduler (``tcp://HOST:PORT``), on that cluster through
:class:`distributed.Client`. The cluster is Dask's own: start it with ``dask scheduler`` and
``dask worker tcp://HOST:PORT`` on machines where this project is installed. The client sends every
job's pixels with the job, so the workers need no shared file system.

Faults are Dask's business: a job whose worker dies is run again on another worker by the
scheduler, and a job that raises is retried (:data:`RETRIES`). What this module adds:

* :func:`probe` -- a quick check that the address answers as a Dask scheduler, so that a wrong or dead
  address gives one clear :class:`~restoration.errors.RestorationError` within seconds (``Client``
  alone would wait for its whole timeout, and a failed ``Client`` prints noise at exit);
* :func:`run_tasks` -- submit a stream of calls with a bounded number in flight (the scheduler holds
  the pixels of the jobs in flight, not of the whole run), hand each result back as it finishes, and
  return the jobs that failed for good (instead of stopping at the first), and give up with a clear
  error when the cluster has had no worker for :data:`NO_WORKER_TIMEOUT` seconds.

``distributed`` is imported only inside these functions: ``import restoration`` stays light.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import RestorationError

__all__ = [
    "CONNECT_TIMEOUT",
    "NO_WORKER_TIMEOUT",
    "RETRIES",
    "SCHEDULER_ENV",
    "ClusterInfo",
    "TaskFailure",
    "connect",
    "describe_failures",
    "normalise_address",
    "probe",
    "run_tasks",
    "scheduler_from_env",
]

#: Environment variable naming the Dask scheduler of a server (the Benchmark page reads only this).
SCHEDULER_ENV = "RESTORATION_DASK_SCHEDULER"
#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT = 10.0
#: Times a job that raised is run again (a job whose worker died is rescheduled by Dask regardless).
RETRIES = 2
#: Seconds a run waits while the cluster has no worker at all before it stops with an error.
NO_WORKER_TIMEOUT = 120.0


@dataclass(frozen=True)
class ClusterInfo:
    """What a scheduler reports about its cluster.

    Attributes
    ----------
    address : str
        The scheduler's address, ``tcp://HOST:PORT``.
    workers : int
        Workers connected now.
    threads : int
        Their threads in all (jobs that run at once).
    """

    address: str
    workers: int
    threads: int

    def describe(self) -> str:
        """One line for people: ``Dask cluster at tcp://...: 2 workers (2 threads)``."""
        return (f"Dask cluster at {self.address}: {self.workers} worker{'s' if self.workers != 1 else ''} "
                f"({self.threads} thread{'s' if self.threads != 1 else ''})")


@dataclass(frozen=True)
class TaskFailure:
    """A job that did not finish on the cluster, after Dask's retries.

    Attributes
    ----------
    index : int
        Position of the job in the calls given to :func:`run_tasks`.
    error : str
        What went wrong (``KilledWorker: ...`` when its workers kept dying, or the exception it raised).
    """

    index: int
    error: str


def scheduler_from_env() -> str | None:
    """The scheduler address the server's administrator set in :data:`SCHEDULER_ENV`, if any.

    Returns
    -------
    str or None
        The normalised address, or None when the variable is unset or empty.

    Raises
    ------
    RestorationError
        When the variable is set to something that is not an address.
    """
    text = os.environ.get(SCHEDULER_ENV, "").strip()
    if not text:
        return None
    try:
        return normalise_address(text)
    except RestorationError as exc:
        raise RestorationError(f"{SCHEDULER_ENV}: {exc}") from None


def normalise_address(address: str) -> str:
    """Check a scheduler address and give it its protocol: ``HOST:PORT`` becomes ``tcp://HOST:PORT``.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT`` (or ``HOST:PORT``; other Dask protocols such as ``tls://`` pass unchecked).

    Returns
    -------
    str
        The address with its protocol.

    Raises
    ------
    RestorationError
        For an empty address, or a tcp address without a host or a port from 1 to 65535.
    """
    text = str(address).strip()
    if not text:
        raise RestorationError("the Dask scheduler address is empty (expected tcp://HOST:PORT)")
    if "://" not in text:
        text = f"tcp://{text}"
    protocol, _, rest = text.partition("://")
    if protocol != "tcp":
        return text
    host, sep, port = rest.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise RestorationError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT)")
    return text


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.partition("://")[2].rpartition(":")
    return host.strip("[]"), int(port)


async def _identity(address: str, timeout: float) -> dict[str, Any]:
    from distributed.comm import connect as dask_connect

    comm = await dask_connect(address, timeout=timeout)
    try:
        await asyncio.wait_for(comm.write({"op": "identity"}), timeout)
        return await asyncio.wait_for(comm.read(), timeout)
    finally:
        comm.abort()


def _run_coroutine(make: Callable[[], Any]) -> Any:
    """Run a coroutine to its end, in a helper thread where this one already runs an event loop (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def probe(address: str, *, timeout: float = CONNECT_TIMEOUT) -> ClusterInfo:
    """Check that a Dask scheduler answers at ``address``, and ask it about its workers.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT`` (see :func:`normalise_address`).
    timeout : float
        Seconds to wait for an answer.

    Returns
    -------
    ClusterInfo
        The address and the workers it has now.

    Raises
    ------
    RestorationError
        When nothing listens there (at once), nothing answers within ``timeout``, or what answers is
        not a Dask scheduler.
    """
    address = normalise_address(address)
    where = f"the Dask scheduler at {address}"
    if address.startswith("tcp://"):
        try:  # a refused connection is known at once; Dask's own connect would retry until its timeout
            socket.create_connection(_host_port(address), timeout=min(timeout, 5.0)).close()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if isinstance(exc, TimeoutError):
                reason = f"no answer within {min(timeout, 5.0):g} s"
            raise RestorationError(f"cannot reach {where}: {reason} (is `dask scheduler` running there?)") from None
    try:
        reply = _run_coroutine(lambda: asyncio.wait_for(_identity(address, timeout), timeout + 1.0))
    except ImportError:
        raise RestorationError("running on a Dask cluster needs the `distributed` package "
                               "(pip install 'dask[distributed]')") from None
    except TimeoutError:
        raise RestorationError(f"cannot reach {where}: no answer within {timeout:g} s") from None
    except Exception as exc:  # whatever answered did not speak Dask's protocol
        raise RestorationError(f"cannot reach {where}: {type(exc).__name__}: {exc}"[:400]) from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise RestorationError(f"{address} answered, but not as a Dask scheduler")
    workers = int(reply.get("n_workers", len(reply.get("workers") or {})))
    threads = int(reply.get("total_threads", 0))
    return ClusterInfo(address, workers, threads)


@contextmanager
def connect(address: str, *, timeout: float = CONNECT_TIMEOUT, check: bool = True) -> Iterator[Any]:
    """A :class:`distributed.Client` of the scheduler at ``address``, closed on exit.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT``.
    timeout : float
        Seconds to wait for the scheduler.
    check : bool
        :func:`probe` the address first (skip it when the caller just did).

    Yields
    ------
    distributed.Client
        Not set as the default client of the process.

    Raises
    ------
    RestorationError
        When the scheduler cannot be reached (see :func:`probe`).
    """
    address = probe(address, timeout=timeout).address if check else normalise_address(address)
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:
        raise RestorationError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    try:
        yield client
    finally:
        client.close()


def _threads(client: Any) -> int:
    try:
        return int(sum(client.nthreads().values()))
    except Exception:  # the scheduler is gone: the futures will say so
        return 0


def _failure_text(future: Any) -> str:
    """What a failed future says: the exception its job raised (or that killed it), or its state."""
    try:
        exc = future.exception(timeout=1.0)
    except Exception as lost:  # cancelled: the scheduler went away
        return f"{future.status}: {type(lost).__name__} {lost}".strip()
    return f"{type(exc).__name__}: {exc}" if exc is not None else str(future.status)


def run_tasks(
    client: Any,
    fn: Callable[..., Any],
    calls: Iterable[tuple[Any, ...]],
    on_result: Callable[[int, Any], None],
    *,
    retries: int = RETRIES,
    window: int | None = None,
    no_worker_timeout: float = NO_WORKER_TIMEOUT,
    poll: float = 0.05,
) -> list[TaskFailure]:
    """Run ``fn(*args)`` for every ``args`` of ``calls`` on the cluster; hand back each result as it finishes.

    Parameters
    ----------
    client : distributed.Client
        A connected client (:func:`connect`).
    fn : callable
        An importable, module-level function (the workers import it from the installed project).
    calls : iterable of tuple
        The arguments of each call; read lazily, as room opens in the window.
    on_result : callable
        ``on_result(index, result)``, in this thread, once per finished call, in order of completion.
    retries : int
        Times a call that raised is run again before it counts as failed.
    window : int, optional
        Calls in flight at most; default: twice the cluster's threads (at least 8), followed as workers
        come and go.
    no_worker_timeout : float
        Give up when the cluster has had no worker for this many seconds.
    poll : float
        Seconds between checks while nothing finishes.

    Returns
    -------
    list of TaskFailure
        The calls that failed for good (their worker kept dying, or they raised every time), by index.

    Raises
    ------
    RestorationError
        When the cluster has had no worker for ``no_worker_timeout`` seconds.
    """
    from distributed import as_completed

    source = enumerate(calls)
    index_of: dict[str, int] = {}
    failures: list[TaskFailure] = []
    threads, checked = _threads(client), time.monotonic()
    idle_since: float | None = None
    pending = as_completed([], loop=client.loop, with_results=False)
    exhausted = False

    def refill() -> None:
        nonlocal exhausted
        limit = window or max(8, 2 * threads)
        while not exhausted and pending.count() < limit:
            try:
                index, args = next(source)
            except StopIteration:
                exhausted = True
                return
            future = client.submit(fn, *args, pure=False, retries=retries)
            index_of[future.key] = index
            pending.add(future)

    refill()
    while not pending.is_empty():
        now = time.monotonic()
        if now - checked > 2.0:  # follow the workers: the window's size, and a cluster left with none
            threads, checked = _threads(client), now
            idle_since = None if threads else (idle_since or now)
        if idle_since is not None and now - idle_since > no_worker_timeout:
            left = pending.count()
            address = getattr(client.scheduler, "address", "ADDRESS")
            raise RestorationError(
                f"the Dask cluster has had no worker for {no_worker_timeout:g} s; {left} job"
                f"{'s' if left != 1 else ''} unfinished (start workers with `dask worker {address}`)"
            )
        batch = pending.next_batch(block=False)
        if not batch:
            time.sleep(poll)
            continue
        for future in batch:
            ok, result = False, None
            try:
                # A job that finished on a worker that died before its result was fetched is computed again
                # by Dask (its future goes back to pending): then it is waited for again, not counted failed.
                if future.status != "error":
                    result, ok = future.result(timeout=1.0), True
            except TimeoutError:
                if future.status != "error":
                    pending.add(future)
                    continue
            except Exception:  # it raised on every try, or was cancelled (the scheduler went away)
                pass
            index = index_of.pop(future.key)
            if ok:
                on_result(index, result)
            else:
                failures.append(TaskFailure(index, _failure_text(future)))
            future.release()
        refill()
    return failures


def describe_failures(failures: list[TaskFailure], names: Callable[[int], str], total: int, *,
                      address: str) -> str:
    """One message naming what failed on a cluster (at most three named, then a count).

    Parameters
    ----------
    failures : list of TaskFailure
        From :func:`run_tasks`.
    names : callable
        ``names(index)`` -- how a person recognises the job (an image and a degradation, a file).
    total : int
        Jobs in the run.
    address : str
        The scheduler's address.

    Returns
    -------
    str
        ``"2 of 40 jobs failed on the Dask cluster at ...: a (KilledWorker: ...); b (...)"``.
    """
    named = "; ".join(f"{names(f.index)} ({f.error})" for f in failures[:3])
    more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
    return (f"{len(failures)} of {total} job{'s' if total != 1 else ''} failed on the Dask cluster at {address}: "
            f"{named}{more}")

