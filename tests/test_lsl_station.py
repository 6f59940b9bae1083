"""`icb check`'s Lab Streaming Layer part (issue 15 point 5): the streams this machine sees,
the marker round trip on loopback, and a clear "not available" without pylsl."""

import os
import socket
import sys

import pytest

from tasks.lsl.station import check_lsl, lsl_summary, lsl_verdicts


def test_streams_seen_and_round_trip():
    pylsl = pytest.importorskip("pylsl")
    source_id = f"icb-test-ecg-{os.getpid()}"
    # a type no recorder asks for (a recording test running beside this one must not see two
    # ECG streams)
    info = pylsl.StreamInfo("icb-test-ecg", "IcbTestECG", 2, 250.0, pylsl.cf_float32,
                            source_id)
    outlet = pylsl.StreamOutlet(info)
    result = check_lsl({}, resolve_s=1.0, n_markers=50)
    del outlet
    assert result["Available"] is True
    mine = [s for s in result["Streams"] if s["SourceId"] == source_id]
    assert mine == [{"Name": "icb-test-ecg", "Type": "IcbTestECG", "NominalRateHz": 250.0,
                     "Channels": 2, "Format": "float32", "Host": socket.gethostname(),
                     "SourceId": source_id}]
    rt = result["MarkerRoundTrip"]
    assert rt["Sent"] == rt["Received"] == 50
    ms = rt["RoundTripMs"]
    assert 0 <= ms["median"] <= ms["p95"] <= ms["max"] and ms["median"] < 50.0
    assert 0 < rt["PushCallMs"]["median"] < 10.0 and abs(rt["ClockOffsetMs"]) < 5.0
    text = "\n".join(lsl_summary(result))
    assert f"icb-test-ecg (IcbTestECG, 250 Hz, 2 channel(s), float32) from " \
        f"{socket.gethostname()}" in text
    assert f"median {ms['median']:.3f} ms" in text and "over 50/50 markers" in text
    problems, warnings = lsl_verdicts(result, {"lsl_record": ["IcbTestECG", "IcbNoSuchType"],
                                               "expected_refresh_hz": 1e9})
    assert not problems
    assert any("no stream of type IcbNoSuchType seen now" in w for w in warnings)
    assert not any("type IcbTestECG" in w for w in warnings)
    assert any("more than one frame" in w for w in warnings)  # a frame of 1 ns: always
    _, warnings = lsl_verdicts(result, {"expected_refresh_hz": 1e-3})
    assert not any("more than one frame" in w for w in warnings)  # a frame of 1000 s


def test_lost_markers_are_a_problem():
    result = {"Available": True, "Streams": [],
              "MarkerRoundTrip": {"Sent": 10, "Received": 7, "RoundTripMs": {
                  "median": 0.1, "p95": 0.2, "max": 0.3}}}
    problems, _ = lsl_verdicts(result, {"expected_refresh_hz": 60})
    assert problems == ["LSL marker round trip: 3 of 10 markers lost on loopback"]


def test_without_pylsl_the_check_says_not_available(monkeypatch):
    monkeypatch.setitem(sys.modules, "pylsl", None)  # `import pylsl` raises ImportError
    result = check_lsl({})
    assert result["Available"] is False
    assert "Lab Streaming Layer is not available" in result["Problem"]
    assert lsl_summary(result)[0].startswith("  LSL: not available (")
    assert lsl_verdicts(result, {"lsl_markers": False, "lsl_record": []}) == ([], [])
    problems, _ = lsl_verdicts(result, {"lsl_markers": True, "lsl_record": []})
    assert len(problems) == 1 and problems[0].startswith("LSL: ")
