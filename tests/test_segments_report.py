"""The segmentation report in a real browser: headless Chromium (Debian package, installed by tests/services.sh)
opens the HTML over the Chrome DevTools Protocol with the network cut off; no console errors or exceptions, no
request leaves the file, every section is present with its plots drawn, and the screenshot is not blank."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from claimtriage.evaluation.segments import SegmentPaths, segment_contacts, write_outputs
from claimtriage.evaluation.segments.encoding import default_cache_path
from claimtriage.evaluation.segments.report import SECTIONS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = [pytest.mark.service,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (run tests/services.sh)")]


@pytest.fixture(scope="module")
def report(trained_model, corpus_contacts, workspace, tmp_path_factory) -> Path:
    # through the embedding cache training filled: the contacts are not encoded again
    result = segment_contacts(corpus_contacts[:300], trained_model, embedding_cache=default_cache_path())
    paths = SegmentPaths.for_report(tmp_path_factory.mktemp("report") / "segments.html")
    write_outputs(result, paths)
    return paths.report


def _start_chromium(profile: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", "--remote-debugging-port=0", f"--user-data-dir={profile}",
         "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        line = process.stderr.readline()
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("Chromium did not start its DevTools endpoint")


class _Page:
    """A minimal CDP session on one page target: commands by id, events collected as they come."""

    def __init__(self, ws) -> None:
        self.ws, self.next_id, self.events, self.replies = ws, 0, [], {}

    async def pump(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                self.replies[data["id"]] = data
            else:
                self.events.append(data)

    async def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        self.next_id += 1
        request_id = self.next_id
        await self.ws.send_str(json.dumps({"id": request_id, "method": method, "params": params or {}}))
        for _ in range(int(timeout * 20)):
            if request_id in self.replies:
                reply = self.replies.pop(request_id)
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            await asyncio.sleep(0.05)
        raise TimeoutError(method)

    async def wait_for(self, method: str, timeout: float = 60) -> None:
        for _ in range(int(timeout * 20)):
            if any(e.get("method") == method for e in self.events):
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(method)

    async def evaluate(self, expression: str):
        result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")


async def _inspect(browser_ws: str, url: str) -> dict:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(browser_ws, max_msg_size=0) as browser:
            control = _Page(browser)
            pump = asyncio.create_task(control.pump())
            target = await control.send("Target.createTarget", {"url": "about:blank"})
            page_ws = browser_ws.split("/devtools/")[0] + f"/devtools/page/{target['targetId']}"
            async with session.ws_connect(page_ws, max_msg_size=0) as ws:
                page = _Page(ws)
                page_pump = asyncio.create_task(page.pump())
                for domain in ("Runtime", "Log", "Page", "Network"):
                    await page.send(f"{domain}.enable")
                await page.send("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                                                                      "downloadThroughput": -1, "uploadThroughput": -1})
                await page.send("Page.navigate", {"url": url})
                await page.wait_for("Page.loadEventFired")
                await asyncio.sleep(1.0)  # plotly draws right after load
                facts = await page.evaluate(
                    "JSON.stringify({sections: Array.from(document.querySelectorAll('section[id]')).map(s => s.id),"
                    " plots: Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.id),"
                    " drawn: document.querySelectorAll('.js-plotly-plot .main-svg').length,"
                    " examples: document.querySelectorAll('blockquote').length,"
                    " height: document.body.scrollHeight})")
                shot = await page.send("Page.captureScreenshot", {"format": "png"})
                page_pump.cancel()
            pump.cancel()
    return {"facts": json.loads(facts), "events": page.events, "screenshot": base64.b64decode(shot["data"])}


def test_report_opens_in_headless_chromium_without_errors(report, tmp_path):
    from PIL import Image, ImageStat

    process, browser_ws = _start_chromium(tmp_path / "profile")
    try:
        seen = asyncio.run(asyncio.wait_for(_inspect(browser_ws, report.resolve().as_uri()), timeout=90))
    finally:
        process.kill()
        process.wait(timeout=10)
    events = seen["events"]
    errors = [e["params"] for e in events if e["method"] == "Runtime.exceptionThrown"]
    errors += [e["params"] for e in events if e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert")]
    errors += [e["params"]["entry"] for e in events if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
    assert not errors, errors
    requests = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    assert all(u.startswith(("file:", "data:", "about:", "blob:")) for u in requests), requests

    facts = seen["facts"]
    assert facts["sections"] == list(SECTIONS)
    expected_plots = {"fig-map", "fig-trend", "fig-channels", "fig-languages", "fig-sentiment", "fig-complexity",
                      "fig-automation", "fig-claim-channel", "fig-sentiment-claim", "fig-journeys"}
    assert expected_plots <= set(facts["plots"]) and facts["drawn"] >= len(expected_plots)
    assert facts["examples"] >= 3

    image = Image.open(io.BytesIO(seen["screenshot"])).convert("RGB")
    assert image.size[0] >= 800 and image.size[1] >= 600
    stat = ImageStat.Stat(image)
    assert max(stat.stddev) > 10, "the screenshot is blank"
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 20
