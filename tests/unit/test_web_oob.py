"""The out-of-band endpoint the proxy plays for wapiti's SSRF and XXE modules."""

from __future__ import annotations

import json

from baseline.web.oob import MAX_HITS, OutOfBand

PREFIX = "/__baseline_endpoint__/"
BASE = "http://127.0.0.1:8000"


def test_ssrf_callbacks_are_answered_per_session_as_wapiti_asks() -> None:
    oob = OutOfBand(PREFIX)
    assert oob.handle("GET", PREFIX + "ssrf/abc123/7/75726c/", BASE)[0] == 200
    assert oob.handle("POST", PREFIX + "ssrf/other/8/75726c/", BASE)[0] == 200
    status, body, content_type = oob.handle("GET", PREFIX + "get_ssrf.php?session_id=abc123", BASE)
    assert status == 200 and content_type == "application/json"
    answer = json.loads(body)
    assert list(answer) == ["7"] and list(answer["7"]) == ["75726c"]
    (hit,) = answer["7"]["75726c"]
    assert hit["method"] == "GET" and hit["url"] == BASE + PREFIX + "ssrf/abc123/7/75726c/" and hit["ip"] == "127.0.0.1"
    assert oob.hits[0].parameter == "url"


def test_xxe_dtd_is_served_and_the_exfiltration_replaces_the_bare_fetch() -> None:
    oob = OutOfBand(PREFIX)
    status, dtd, content_type = oob.handle("GET", PREFIX + "dtd/s1/3/646f63/linux.dtd", BASE)
    assert status == 200 and content_type == "application/xml-dtd"
    assert "file:///etc/hostname" in dtd.decode() and BASE + PREFIX + "xoxo/s1/3/646f63/linux/" in dtd.decode()
    fetched = json.loads(oob.handle("GET", PREFIX + "get_xxe.php?session_id=s1", BASE)[1])
    assert fetched["3"]["646f63"][0]["size"] == 0 and fetched["3"]["646f63"][0]["payload"] == "linux"  # reached the DTD only
    oob.handle("GET", PREFIX + "xoxo/s1/3/646f63/linux/myhost", BASE)
    sent = json.loads(oob.handle("GET", PREFIX + "get_xxe.php?session_id=s1", BASE)[1])
    assert len(sent["3"]["646f63"]) == 1 and sent["3"]["646f63"][0]["size"] == 6  # the data it sent
    assert oob.summary() == {"ssrf": 0, "xxe": 2, "dropped": 0}


def test_malformed_callbacks_are_ignored_and_the_record_is_bounded() -> None:
    oob = OutOfBand(PREFIX)
    for target in ("ssrf/s/notanumber/75/", "ssrf/s/1/zz/", "dtd/s/1/75", "unknown/x", "", "ssrf/s/1"):
        assert oob.handle("GET", PREFIX + target, BASE)[0] == 404, target
    assert oob.hits == []
    for n in range(MAX_HITS + 5):
        oob.handle("GET", PREFIX + f"ssrf/s/{n}/75/", BASE)
    assert len(oob.hits) == MAX_HITS and oob.summary()["dropped"] == 5
    long_session = "x" * 5000
    oob.handle("GET", PREFIX + f"get_ssrf.php?session_id={long_session}", BASE)  # answered, bounded
