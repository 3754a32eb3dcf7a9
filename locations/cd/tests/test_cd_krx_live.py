"""The live KRX source (pykrx) against a local HTTP server speaking KRX's JSON protocol.

pykrx posts form-encoded requests (`bld`, `mktId`, `trdDd`) to KRX's getJsonData endpoint and
reads `OutBlock_1` / `output` records whose numbers are strings with thousands separators. The
server here answers those requests for one day; only the endpoint URL is pointed at it.
"""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from cd_support import materialize_exchange, query, resources
from dag_cd.defs.resources import PykrxResource

# ticker, name, open, high, low, close, volume, value, change %, cap, shares, (eps, per, bps, pbr, dps, yield)
KOSPI = [
    (
        "005930",
        "삼성전자",
        "78,000",
        "79,000",
        "77,500",
        "78,500",
        "10,000,000",
        "785,000,000,000",
        "0.64",
        "468,627,930,175,000",
        "5,969,782,550",
        ("5,167", "15.19", "52,002", "1.51", "1,444", "1.84"),
    ),
    (
        "005935",
        "삼성전자우",
        "62,000",
        "63,000",
        "61,800",
        "62,900",
        "1,000,000",
        "62,900,000,000",
        "-0.16",
        "51,759,573,430,000",
        "822,886,700",
        ("5,167", "12.17", "52,002", "1.21", "1,445", "2.30"),
    ),
    (
        "448740",
        "엔에이치스팩29호",
        "2,100",
        "2,110",
        "2,090",
        "2,100",
        "1,000",
        "2,100,000",
        "0.00",
        "10,500,000,000",
        "5,000,000",
        ("-", "-", "-", "-", "-", "-"),
    ),
]
REQUESTS: list[dict] = []


class KrxHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        form = {
            k: v[0]
            for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()
        }
        REQUESTS.append(form)
        rows = KOSPI if form.get("mktId") == "STK" and form.get("trdDd") == "20240102" else []
        if form["bld"].endswith("MDCSTAT01501"):
            body = {
                "OutBlock_1": [
                    {
                        "ISU_SRT_CD": t,
                        "ISU_ABBRV": n,
                        "MKT_NM": "KOSPI",
                        "SECT_TP_NM": "",
                        "TDD_CLSPRC": c,
                        "FLUC_TP_CD": "1",
                        "CMPPREVDD_PRC": "0",
                        "FLUC_RT": r,
                        "TDD_OPNPRC": o,
                        "TDD_HGPRC": h,
                        "TDD_LWPRC": lo,
                        "ACC_TRDVOL": v,
                        "ACC_TRDVAL": val,
                        "MKTCAP": cap,
                        "LIST_SHRS": sh,
                        "MKT_ID": "STK",
                    }
                    for t, n, o, h, lo, c, v, val, r, cap, sh, _ in rows
                ]
            }
        elif form["bld"].endswith("MDCSTAT03501"):
            body = {
                "output": [
                    {
                        "ISU_SRT_CD": t,
                        "ISU_ABBRV": n,
                        "ISU_ABBRV_STR": n,
                        "TDD_CLSPRC": c,
                        "FLUC_TP_CD": "1",
                        "CMPPREVDD_PRC": "0",
                        "FLUC_RT": r,
                        "EPS": f[0],
                        "PER": f[1],
                        "BPS": f[2],
                        "PBR": f[3],
                        "DPS": f[4],
                        "DVD_YLD": f[5],
                    }
                    for t, n, _, _, _, c, _, _, r, _, _, f in rows
                ]
            }
        else:
            self.send_error(404)
            return
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def krx_server(monkeypatch):
    monkeypatch.delenv("KRX_ID", raising=False)
    monkeypatch.delenv("KRX_PW", raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), KrxHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    from pykrx.website.krx.krxio import KrxWebIo

    url = f"http://127.0.0.1:{server.server_address[1]}/comm/bldAttendant/getJsonData.cmd"
    monkeypatch.setattr(KrxWebIo, "url", property(lambda self: url))
    REQUESTS.clear()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def test_the_pykrx_source_maps_krx_answers_by_name(krx_server):
    krx = PykrxResource(pause_seconds=0)
    day = date(2024, 1, 2)
    assert krx.fetch("tickers", day, "KOSPI").rows == [
        ("005930", "삼성전자"),
        ("005935", "삼성전자우"),
        ("448740", "엔에이치스팩29호"),
    ]
    ohlcv = krx.fetch("ohlcv", day, "KOSPI")
    assert ohlcv.rows[0] == (
        "005930",
        78000,
        79000,
        77500,
        78500,
        10_000_000,
        785_000_000_000,
        pytest.approx(0.64),
    )
    caps = {row[0]: row for row in krx.fetch("market_cap", day, "KOSPI").rows}
    assert caps["005935"] == ("005935", 62900, 51_759_573_430_000, 1_000_000, 62_900_000_000, 822_886_700)
    fundamentals = {row[0]: row for row in krx.fetch("fundamental", day, "KOSPI").rows}
    assert fundamentals["005930"] == (
        "005930",
        52002,
        pytest.approx(15.19),
        pytest.approx(1.51),
        5167,
        pytest.approx(1.84),
        1444,
    )
    assert fundamentals["448740"][1:] == (0, 0.0, 0.0, 0, 0.0, 0)  # KRX's "-" is 0
    assert krx.fetch("ohlcv", day, "KOSDAQ").empty  # nothing for KOSDAQ that day: an empty answer
    assert {r["mktId"] for r in REQUESTS} == {"STK", "KSQ"} and all(
        r["trdDd"] == "20240102" for r in REQUESTS
    )


def test_the_daily_steps_run_on_the_live_source(krx_server, postgres_url, data_dir):
    res = resources(postgres_url, data_dir)
    res["cd_krx"] = PykrxResource(pause_seconds=0)
    materialize_exchange("postgres", res, "2024-01-02", "KOSPI")
    assert query(res, "SELECT ticker, close FROM price ORDER BY ticker") == [
        ("005930", 78500),
        ("005935", 62900),
        ("448740", 2100),
    ]
    assert query(res, "SELECT count(*) FROM company") == [(1,)]  # 삼성전자 (the SPAC gets none)
