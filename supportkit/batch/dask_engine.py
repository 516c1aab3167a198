"""``batch --engine dask``: the same per-record function over partitions on a Dask cluster.

The driver streams the export, sends partitions of records to the cluster with a
bounded number in flight, and yields outcomes in input order, so the output, the
rejects and the counts are exactly those of a local run. Needs the optional extra
``pip install 'supportkit[dask]'``.

Customer text never leaves this process unguarded: each record is read by the guard here
(with its conversation, as a local run reads it) and only the redacted text, the guard's
result (which never holds a secret) and the next two messages of its conversation (read when
the record is a bare greeting), each guarded within the conversation, are sent. The workers
answer from that (``process_message(guarded=...)``), so the replies are the local ones; the
one exception is a greeting whose next message holds part of a phrase split over messages,
classified on the cluster without that part.
Records still travel in clear over ``tcp://``: for a cluster on other machines use
``tls://`` addresses with a ``distributed.security.Security`` (or the ``distributed.comm.tls``
settings of the Dask configuration). A plain ``tcp://`` scheduler that is not on this machine
is refused unless the caller says it is fine (``insecure``).
"""

from __future__ import annotations

import ipaddress
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from supportkit.config import Config
from supportkit.errors import N_, BatchError, SupportkitError

if TYPE_CHECKING:
    from supportkit.guard import GuardResult

PARTITION_SIZE = 2000
MAX_IN_FLIGHT = 8
ENCRYPTED_SCHEMES = frozenset({"tls", "wss"})
LOCAL_SCHEMES = frozenset({"inproc"})
_COURTESY_LOOKAHEAD = 2
"""Next messages the pipeline reads after a bare greeting (``pipeline._next_messages_decide``)."""


@dataclass(frozen=True)
class GuardedRecord:
    """What leaves this process for a record: the redacted text and the guard's result."""

    line: int
    id: str
    text: str
    lang: str | None
    guarded: GuardResult | None
    """None for a text with nothing to guard (blank once normalized): the worker gives its error."""
    after: tuple[str, ...] = ()


def check_scheduler_address(address: str, insecure: bool = False) -> None:
    """BatchError for a scheduler reached in clear (``tcp://``, ``ws://``, ``ucx://``, no scheme)
    anywhere but this machine, unless ``insecure``."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    scheme = scheme.lower()
    if scheme in ENCRYPTED_SCHEMES or scheme in LOCAL_SCHEMES or insecure:
        return
    host = rest.rsplit("@", 1)[-1]
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.split("/", 1)[0].rsplit(":", 1)[0]
    if _loopback(host):
        return
    raise BatchError(N_("the Dask scheduler {address} would get customer messages unencrypted"), None,
                     N_("Use a tls:// address with the cluster's certificates (distributed.comm.tls in the "
                        "Dask configuration), or pass --insecure-scheduler if the network is yours."),
                     address=address)


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def guard_for_cluster(record: Any) -> GuardedRecord | tuple[str, str]:
    """The record as it may leave this process, or its reject (``("reject", reason)``) when the
    guard refuses it (too long): the same reason a local run gives."""
    from supportkit.guard import guard_message

    if not record.text.strip():
        return GuardedRecord(record.line, record.id, "", record.lang, None)
    try:
        read = guard_message(record.text, record.before, None, record.after)
    except SupportkitError as exc:
        return "reject", exc.message
    if not read.normalized.text.strip():
        return GuardedRecord(record.line, record.id, "", record.lang, None)
    # The next messages go out guarded in their conversation too: a part of a phrase split over
    # messages is not a secret on its own, but it is one with the rest.
    following = record.after[:_COURTESY_LOOKAHEAD]
    after = []
    for index, message in enumerate(following):
        try:
            after.append(guard_message(message, (*record.before, record.text, *following[:index]), None,
                                       record.after[index + 1:]).text)
        except SupportkitError:
            after.append("")
    return GuardedRecord(record.line, record.id, read.text, record.lang, replace(read.guarded, redacted=read.text),
                         tuple(after))


def process_partition(records: list[GuardedRecord], config: Config) -> list[tuple[str, Any]]:
    """Run on a worker: outcomes for one partition (the library is loaded once per worker)."""
    from supportkit.batch.output import encode_row
    from supportkit.batch.worker import ensure_worker, output_row
    from supportkit.pipeline import process_message

    library = ensure_worker(config)
    outcomes: list[tuple[str, Any]] = []
    for record in records:
        try:
            reply = process_message(record.text or " ", config, lang=record.lang, library=library,
                                    following=record.after, guarded=record.guarded)
            outcomes.append(("ok", encode_row(output_row(record, reply))))
        except SupportkitError as exc:
            outcomes.append(("reject", exc.message))
        except Exception as exc:  # noqa: BLE001 - one broken record must not stop the run
            outcomes.append(("reject", f"internal error: {type(exc).__name__}"))
    return outcomes


def run_dask(records: Iterator[Any], config: Config, scheduler: str | None, *, security: Any = None,
             insecure: bool = False) -> Iterator[tuple[Any, tuple[str, Any]]]:
    """Outcomes of ``records`` in input order, computed on the cluster at ``scheduler``.

    Without a scheduler address a LocalCluster on this machine is started (and stopped).
    ``security``: a ``distributed.security.Security`` for a ``tls://`` scheduler (default: the
    Dask configuration's). Records are guarded here before they are sent (``guard_for_cluster``).
    """
    if scheduler:
        check_scheduler_address(scheduler, insecure)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BatchError(N_("the dask engine needs the dask extra"), None,
                         N_("Install it with: pip install 'supportkit[dask]'")) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s", **({"security": security} if security is not None else {}))
        else:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise BatchError(N_("cannot reach the Dask scheduler: {reason}"), scheduler,
                         N_("Check the address (tcp://host:8786)."), reason=str(exc)) from None
    try:
        config_future = client.scatter(config, broadcast=True)
        in_flight: deque[tuple[list[Any], Any]] = deque()
        partition: list[Any] = []

        def submit(part: list[Any]) -> None:
            shipped = [guard_for_cluster(record) for record in part]
            sent = [item for item in shipped if isinstance(item, GuardedRecord)]
            in_flight.append((part, (shipped, client.submit(process_partition, sent, config_future, pure=False))))

        def outcomes(part: list[Any], pending: Any) -> Iterator[tuple[Any, tuple[str, Any]]]:
            shipped, future = pending
            computed = iter(future.result())
            for record, item in zip(part, shipped, strict=True):
                yield record, (next(computed) if isinstance(item, GuardedRecord) else item)

        for record in records:
            partition.append(record)
            if len(partition) >= PARTITION_SIZE:
                submit(partition)
                partition = []
                while len(in_flight) >= MAX_IN_FLIGHT:
                    yield from outcomes(*in_flight.popleft())
        if partition:
            submit(partition)
        while in_flight:
            yield from outcomes(*in_flight.popleft())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
