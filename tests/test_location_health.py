"""The health watch's handling of a restarted code server whose definitions server never answers."""

from dag_platform import location_health
from dag_platform.location_health import LocationHealthWatch


def _watch(monkeypatch, startup_grace: float, pid: int = 200):
    monkeypatch.setattr(location_health, "answers_ping", lambda host, port: False)
    reloads = []
    watch = LocationHealthWatch(
        {"cd": ("127.0.0.1", 1)},
        running_pid=lambda name: pid,
        reload=lambda name: reloads.append(name) or True,
        is_usable=lambda name: True,
        restart=lambda name, reason: None,
        loaded_pids={"cd": 100},  # start-up saw pid 100: pid 200 is a restarted code server
        startup_grace=startup_grace,
    )
    return watch, reloads


def test_a_restarted_server_is_left_alone_while_it_starts(monkeypatch):
    watch, reloads = _watch(monkeypatch, startup_grace=3600)
    for _ in range(5):
        watch.check()
    assert reloads == []


def test_a_restarted_server_silent_past_the_grace_is_reloaded(monkeypatch):
    watch, reloads = _watch(monkeypatch, startup_grace=0)
    watch.check()
    assert reloads == []  # one failed ping is not yet a reason
    watch.check()
    assert reloads == ["cd"]


def test_the_server_seen_at_start_up_is_reloaded_when_it_stops_answering(monkeypatch):
    watch, reloads = _watch(monkeypatch, startup_grace=3600, pid=100)
    watch.check()
    watch.check()
    assert reloads == ["cd"]
