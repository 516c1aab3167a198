"""``batch --engine dask``: the same per-record function over partitions on a Dask cluster.

The driver streams the export, sends partitions of records to the cluster with a
bounded number in flight, and yields outcomes in input order, so the output, the
rejects and the counts are exactly those of a local run. Needs the optional extra
``pip install 'supportkit[dask]'``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from supportkit.config import Config
from supportkit.errors import BatchError

PARTITION_SIZE = 2000
MAX_IN_FLIGHT = 8


def process_partition(records: list[Any], config: Config) -> list[tuple[str, Any]]:
    """Run on a worker: outcomes for one partition (the library is loaded once per worker)."""
    from supportkit import batch

    if batch._WORKER.get("config") != config:
        batch._init_worker(config)
    return [outcome for chunk in batch._chunks(iter(records), batch.CHUNK_SIZE) for outcome in batch._work_chunk(chunk)]


def run_dask(records: Iterator[Any], config: Config, scheduler: str | None) -> Iterator[tuple[Any, tuple[str, Any]]]:
    """Outcomes of ``records`` in input order, computed on the cluster at ``scheduler``.

    Without a scheduler address a LocalCluster on this machine is started (and stopped).
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BatchError("the dask engine needs the dask extra", None,
                         "Install it with: pip install 'supportkit[dask]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise BatchError(f"cannot reach the Dask scheduler: {exc}", scheduler, "Check the address (tcp://host:8786).") from None
    try:
        config_future = client.scatter(config, broadcast=True)
        in_flight: deque[tuple[list[Any], Any]] = deque()
        partition: list[Any] = []

        def submit(part: list[Any]) -> None:
            in_flight.append((part, client.submit(process_partition, part, config_future, pure=False)))

        for record in records:
            partition.append(record)
            if len(partition) >= PARTITION_SIZE:
                submit(partition)
                partition = []
                while len(in_flight) >= MAX_IN_FLIGHT:
                    part, future = in_flight.popleft()
                    yield from zip(part, future.result(), strict=True)
        if partition:
            submit(partition)
        while in_flight:
            part, future = in_flight.popleft()
            yield from zip(part, future.result(), strict=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
