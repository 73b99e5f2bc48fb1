"""Scale-out on a three-node RabbitMQ cluster: two processes of every service, node faults.

Three RabbitMQ nodes from Debian's package (harness/cluster.py), clustered; the platform's
quorum queues are replicated on all three. Two processes of each service run, connected to
different nodes. During a run of reports:
- on loopback, one node is killed with SIGKILL and started again, then another;
- with each node in a network namespace of its own, one node is cut off (a partition) and
  joined again: it pauses (pause_minority), the queues it led elect leaders on the majority,
  the majority goes on, and the node catches up when it returns.
Afterwards every accepted report is assigned, shown, acknowledged exactly once and has its
deadlines; every outbox is empty, every queue drained, nothing parked.

`make test` runs a short run; the long mode (README):
LAPOR_CLUSTER_REPORTS=2000 LAPOR_CLUSTER_RESULTS=bench/results/cluster.json scripts/test.sh tests/e2e/test_cluster.py
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from harness.cluster import BrokerCluster, BrokerNode, can_isolate
from harness.helpers import submit_reports
from harness.infra import Isolation
from harness.stack import SERVICES, ServiceProcess, load_directory, wait_until

REPORTS = int(os.environ.get("LAPOR_CLUSTER_REPORTS", "60"))
# reports are offered at a steady rate so that both outages fall inside the run
RATE = float(os.environ.get("LAPOR_CLUSTER_RATE", "1.2"))
PROCESSES = 2
# a node stays away until the rest of the cluster has carried this many new reports through
# the broker (accepted and assigned), so every outage is shown to be survived, not just slept
CARRIED = 3
RESULTS: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_results() -> Iterator[None]:
    """With LAPOR_CLUSTER_RESULTS=FILE (the long mode), the figures of each scenario go to FILE."""
    yield
    target = os.environ.get("LAPOR_CLUSTER_RESULTS")
    if target and RESULTS:
        # each scenario may be run on its own (-k): the file keeps the others' last figures
        known = json.loads(Path(target).read_text()) if Path(target).exists() else {}
        Path(target).write_text(json.dumps({**known, **RESULTS}, indent=2) + "\n")


def _cluster(tmp_path_factory: pytest.TempPathFactory, isolated: bool) -> Iterator[tuple[BrokerCluster, Isolation]]:
    iso = Isolation.fresh()
    brokers = BrokerCluster(tmp_path_factory.mktemp("rabbit-cluster"), vhost=iso.vhost, isolated=isolated)
    try:
        brokers.start()
        yield brokers, iso
    finally:
        brokers.stop()
        iso.drop()


@pytest.fixture
def cluster(infra_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BrokerCluster, Isolation]]:
    yield from _cluster(tmp_path_factory, isolated=False)


@pytest.fixture
def isolated_cluster(infra_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BrokerCluster, Isolation]]:
    reason = can_isolate()
    assert reason is None, f"the partition test makes network namespaces: {reason}"
    yield from _cluster(tmp_path_factory, isolated=True)


def _processes(brokers: BrokerCluster, iso: Isolation, log_dir: Path) -> list[ServiceProcess]:
    """Two processes a service, each on its own node, every node serving some of them."""
    nodes = itertools.cycle(brokers.nodes)
    procs = []
    for name in SERVICES:
        for i in range(1, PROCESSES + 1):
            node = next(nodes)
            # the sweeper's look for unpublished events is a scan on FerretDB (no secondary
            # index): eight processes doing it every second would be most of the database's work
            env = iso.env(LAPOR_AMQP_URL=node.amqp_url(iso.vhost), LAPOR_OUTBOX_SWEEP_INTERVAL_S="5")
            procs.append(ServiceProcess(name, env, log_dir, instance=f"{name}-{i}"))
    return procs


def _replicated(brokers: BrokerCluster) -> dict[str, Any]:
    """Quorum queues without a member online on every node (empty when all are replicated)."""
    everyone = sorted(n.name for n in brokers.nodes)
    return {name: (q.get("members"), q.get("online")) for name, q in brokers.queues().items()
            if q.get("type") != "quorum" or sorted(q.get("members") or []) != everyone
            or sorted(q.get("online") or []) != everyone}


async def _replicated_again(brokers: BrokerCluster) -> bool:
    return await asyncio.to_thread(_replicated, brokers) == {}


class Progress:
    """Cases assigned so far: work that needs the broker (intake accepts on the database alone)."""

    def __init__(self, iso: Isolation) -> None:
        self.client: AsyncMongoClient = AsyncMongoClient(iso.mongo_url, tz_aware=True)
        self.db = self.client[iso.mongo_db]

    async def assigned(self) -> int:
        return await self.db.cases.count_documents({"status": "assigned"})


async def _started(procs: list[ServiceProcess], brokers: BrokerCluster) -> None:
    for p in procs:
        p.start()
    for p in procs:
        await asyncio.to_thread(p.wait_ready, 120)
    # every queue the services declared is a quorum queue with a member on each node
    assert brokers.queues() and _replicated(brokers) == {}


async def _all_ended(iso: Isolation, brokers: BrokerCluster, accepted: list[str], refused: Counter[str], fault: str) -> int:
    """Every report at its end state exactly once, nothing left anywhere; the duplicates counted."""
    tids = set(accepted)
    assert len(tids) == REPORTS, dict(refused)
    assert not [k for k in refused if k[:1] == "5" and not k.startswith("503")], dict(refused)
    client: AsyncMongoClient = AsyncMongoClient(iso.mongo_url, tz_aware=True)
    db = client[iso.mongo_db]
    try:
        ids = list(tids)

        async def end_state() -> str | None:
            counts = (await db.cases.count_documents({"_id": {"$in": ids}, "status": "assigned"}),
                      await db.reports.count_documents({"_id": {"$in": ids}, "status": "assigned"}),
                      await db.notifications.count_documents({"tracking_id": {"$in": ids}, "kind": "ack", "status": "sent"}),
                      await db.deadlines.count_documents({"tracking_id": {"$in": ids}, "stage": "first_follow_up"}))
            return "ok" if counts == (len(ids),) * 4 else None

        # on two cores FerretDB (no secondary index) is the bound: the backlog may drain slowly
        await wait_until(end_state, timeout=max(300, REPORTS * 1.2), interval=1,
                         message=f"{len(ids)} reports at their end state after {fault}")

        async def drained() -> str | None:
            pending = sum([await db[c].count_documents({"outbox_pending": {"$gt": 0}})
                           for c in ("reports", "cases", "sla_steps", "sms_inbound", "sla_reports")])
            depths = await asyncio.to_thread(brokers.depths)
            busy = {q: n for q, n in depths.items() if n and not q.endswith(".parked")}
            return "ok" if pending == 0 and not busy else None

        await wait_until(drained, timeout=180, interval=1, message="outboxes empty and queues drained")
        acks = Counter(d["tracking_id"] for d in await db.notifications.find(
            {"tracking_id": {"$in": ids}, "kind": "ack"}, {"tracking_id": 1}).to_list(None))
        clocks = Counter(d["tracking_id"] for d in await db.deadlines.find(
            {"tracking_id": {"$in": ids}, "stage": "first_follow_up"}, {"tracking_id": 1}).to_list(None))
    finally:
        await client.close()
    assert set(acks.values()) == {1} and set(clocks.values()) == {1}
    parked = {q: n for q, n in brokers.depths().items() if q.endswith(".parked") and n}
    assert parked == {}
    # the nodes that were away are online members of every quorum queue again
    await wait_until(lambda: _replicated_again(brokers), timeout=120, message="every queue on all three nodes")
    return sum(n - 1 for n in acks.values()) + sum(n - 1 for n in clocks.values())


def _short(node_name: str) -> str:
    return node_name.split("@")[0].rsplit("-", 1)[-1]


@pytest.mark.timeout(max(600, int(REPORTS / RATE + REPORTS * 1.2) + 420))
async def test_reports_survive_broker_node_kills(cluster: tuple[BrokerCluster, Isolation], tmp_path: Path) -> None:
    brokers, iso = cluster
    assert len(brokers.running()) == 3
    load_directory(iso)
    procs = _processes(brokers, iso, tmp_path)
    progress = Progress(iso)
    load: asyncio.Task[None] | None = None
    try:
        await _started(procs, brokers)
        cpu_before = _cpu(procs, brokers)
        accepted: list[str] = []
        refused: Counter[str] = Counter()
        started = time.monotonic()
        load = asyncio.create_task(submit_reports([p.url for p in procs if p.name == "intake"], REPORTS, accepted, refused,
                                                  key="cluster", rate=RATE, concurrency=16))
        kills = []
        # the first node dies early in the run, the second once the first is back and more came in
        mark = REPORTS // 6
        for victim in brokers.nodes[:2]:
            await wait_until(lambda n=mark: _at_least(accepted, n), timeout=max(180, REPORTS / RATE),
                             message=f"{mark} accepted")
            assert not load.done(), "the run ended before the fault"
            before, assigned_before = len(accepted), await progress.assigned()
            await asyncio.to_thread(victim.kill)
            killed_at = time.monotonic()
            await wait_until(lambda: _carried(progress, accepted, before, assigned_before), timeout=180,
                             message="the two other nodes carrying reports")
            down_s = round(time.monotonic() - killed_at, 1)
            during = len(accepted) - before
            await asyncio.to_thread(victim.start)
            await asyncio.to_thread(victim.wait_ready, 120)
            await wait_until(lambda: _members(brokers, 3), timeout=120, message="the node back in the cluster")
            kills.append({"node": _short(victim.name), "down_s": down_s, "accepted_before": before, "accepted_while_down": during,
                          "assigned_until_rejoined": await progress.assigned() - assigned_before,
                          "accepted_by_rejoin": len(accepted)})
            mark = min(len(accepted) + REPORTS // 6, REPORTS - REPORTS // 10)
        # both outages fell inside the run, and the two other nodes carried it: reports were
        # accepted, and routed through the broker, while each node was away
        assert all(k["accepted_while_down"] > 0 and k["assigned_until_rejoined"] > 0 for k in kills), kills
        await load
        duplicated = await _all_ended(iso, brokers, accepted, refused, "two node kills")
        cpu_ms = {k: round((v - cpu_before.get(k, 0.0)) * 1000 / REPORTS, 2) for k, v in _cpu(procs, brokers).items()}
        RESULTS["node_kills"] = {
            "reports": REPORTS, "offered_per_s": RATE, "accepted": len(set(accepted)), "lost": 0, "duplicated": duplicated,
            "broker_nodes": len(brokers.nodes), "processes_per_service": PROCESSES, "node_kills": kills,
            "quorum_queues": len(brokers.queues()), "cpu_ms_per_report": cpu_ms,
            "client_retries": dict(refused), "seconds": round(time.monotonic() - started, 1)}
    finally:
        await _stop(load, progress, procs)


@pytest.mark.timeout(max(600, int(REPORTS / RATE + REPORTS * 1.2) + 420))
async def test_a_partitioned_node_pauses_and_the_majority_goes_on(isolated_cluster: tuple[BrokerCluster, Isolation],
                                                                  tmp_path: Path) -> None:
    brokers, iso = isolated_cluster
    assert len(brokers.running()) == 3
    load_directory(iso)
    procs = _processes(brokers, iso, tmp_path)
    progress = Progress(iso)
    load: asyncio.Task[None] | None = None
    assert brokers.network is not None
    try:
        await _started(procs, brokers)
        led_before = {name: q["leader"] for name, q in brokers.queues().items()}
        # cut off the node that leads the most queues: the most leaders must move
        leads = Counter(led_before.values())
        cut = max(brokers.nodes, key=lambda n: leads.get(n.name, 0))
        index = brokers.nodes.index(cut) + 1
        majority = [n for n in brokers.nodes if n is not cut]
        accepted: list[str] = []
        refused: Counter[str] = Counter()
        started = time.monotonic()
        load = asyncio.create_task(submit_reports([p.url for p in procs if p.name == "intake"], REPORTS, accepted, refused,
                                                  key="cluster", rate=RATE, concurrency=16))
        await wait_until(lambda: _at_least(accepted, REPORTS // 6), timeout=max(180, REPORTS / RATE),
                         message="a sixth accepted")
        assert not load.done(), "the run ended before the partition"
        before = len(accepted)
        cut_at = time.monotonic()
        await asyncio.to_thread(brokers.network.cut, index)
        # the others declare it gone (net_ticktime), and it finds itself in the minority and pauses
        await wait_until(lambda: _members(brokers, 2, majority), timeout=120, message="the majority without the cut node")
        noticed_s = time.monotonic() - cut_at
        await wait_until(lambda: _paused(cut), timeout=60, message="the cut node paused in its minority")
        assigned_before = await progress.assigned()
        await wait_until(lambda: _carried(progress, accepted, before, assigned_before), timeout=180,
                         message="the majority carrying reports while the node is paused")
        # the queues the cut node led have leaders on the majority now, and the majority went on
        led_during = {name: q["leader"] for name, q in (await asyncio.to_thread(brokers.queues, majority)).items()}
        during, assigned_during = len(accepted) - before, await progress.assigned() - assigned_before
        await asyncio.to_thread(brokers.network.join, index)
        joined_at = time.monotonic()
        await wait_until(lambda: _members(brokers, 3), timeout=180, message="the cut node back in the cluster")
        await asyncio.to_thread(cut.wait_ready, 120)
        await wait_until(lambda: _replicated_again(brokers), timeout=120, message="the cut node online in every queue")
        rejoined_s = time.monotonic() - joined_at
        moved = sorted(name for name, leader in led_before.items() if leader == cut.name)
        assert moved, f"the cut node led no queue before the partition: {led_before}"
        assert all(led_during[name] in {n.name for n in majority} for name in moved), led_during
        assert during > 0 and assigned_during > 0, (during, assigned_during)
        await load
        duplicated = await _all_ended(iso, brokers, accepted, refused, "a partition of node 3")
        RESULTS["partition"] = {
            "reports": REPORTS, "offered_per_s": RATE, "accepted": len(set(accepted)), "lost": 0, "duplicated": duplicated,
            "broker_nodes": len(brokers.nodes), "processes_per_service": PROCESSES,
            "partition_handling": "pause_minority", "net_ticktime_s": 10, "cut_off_s": round(joined_at - cut_at, 1),
            "majority_noticed_after_s": round(noticed_s, 1), "accepted_while_cut_off": during,
            "assigned_while_paused": assigned_during, "leaders_before": dict(Counter(_short(v) for v in led_before.values())),
            "queues_led_by_the_cut_node": len(moved), "leaders_moved_to_majority": len(moved),
            "back_in_every_queue_after_s": round(rejoined_s, 1), "quorum_queues": len(led_before),
            "client_retries": dict(refused), "seconds": round(time.monotonic() - started, 1)}
    finally:
        await _stop(load, progress, procs)


async def _stop(load: asyncio.Task[None] | None, progress: Progress, procs: list[ServiceProcess]) -> None:
    if load is not None and not load.done():
        load.cancel()
    await progress.client.close()
    for p in procs:
        p.terminate()


def _cpu(procs: list[ServiceProcess], brokers: BrokerCluster) -> dict[str, float]:
    """CPU seconds used so far, by service (its processes together), and by the one broker node
    that is never killed (a restarted node's counter starts again)."""
    def seconds(pid: int | None) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0
    out: dict[str, float] = Counter()
    for p in procs:
        out[p.name] += seconds(p.proc.pid if p.proc else None)
    out["rabbitmq, one node"] = seconds(brokers.nodes[-1].pid)
    return dict(out)


async def _carried(progress: "Progress", accepted: list[str], accepted_before: int, assigned_before: int) -> bool:
    return (len(accepted) - accepted_before >= CARRIED
            and await progress.assigned() - assigned_before >= CARRIED)


async def _at_least(accepted: list[str], n: int) -> bool:
    return len(accepted) >= n


async def _members(brokers: BrokerCluster, n: int, seen_by: list[BrokerNode] | None = None) -> bool:
    return len(await asyncio.to_thread(brokers.running, seen_by)) == n


async def _paused(node: BrokerNode) -> bool:
    """The node's RabbitMQ application is stopped (its Erlang VM still runs, waiting for peers)."""
    try:
        await asyncio.to_thread(node.ctl, "check_running", tool="rabbitmq-diagnostics", timeout=20)
        return False
    except RuntimeError as exc:        # the node answered, and said so
        return "is not running" in str(exc)
    except subprocess.TimeoutExpired:
        return False
