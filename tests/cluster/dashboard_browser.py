#!/usr/bin/python3
"""Opens a page in headless Chromium over the DevTools protocol (--remote-debugging-pipe:
JSON messages ending in NUL on fds 3 and 4; standard library only), keeps it open for
SECONDS, runs STEPS (what a person does next), then writes its DOM to OUT.html and a
screenshot of the whole page to OUT.png. Exit 0 when both were written; what went wrong on
stderr otherwise.

  dashboard_browser.py CHROMIUM URL SECONDS OUT PROFILE_DIR [STEPS]

STEPS is a JSON list run in order: {"click": CSS selector}, {"type": [CSS selector, text]}
(focuses the element and types the text as keyboard input), {"select": [CSS selector, value]}
(picks that option of a <select>, as a person choosing it), {"wait": seconds}.
"""
import base64
import json
import os
import subprocess
import sys
import time


def main():
    chromium, url, seconds, out, profile = sys.argv[1:6]
    steps = json.loads(sys.argv[6]) if len(sys.argv) > 6 else []
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def fds():
        os.dup2(to_chrome_r, 3)
        os.dup2(from_chrome_w, 4)

    proc = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--hide-scrollbars", "--remote-debugging-pipe", "--user-data-dir=" + profile,
         "--window-size=1400,1100", "about:blank"],
        pass_fds=(3, 4), preexec_fn=fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    buf = b""
    next_id = [0]

    def call(method, params=None, session=None):
        nonlocal buf
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in buf:
                chunk = os.read(from_chrome_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                buf += chunk
            raw, buf = buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == next_id[0]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    try:
        target = call("Target.createTarget", {"url": url})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        time.sleep(float(seconds))

        def element(selector, action):
            found = call("Runtime.evaluate", {
                "expression": "(() => { const e = document.querySelector(%s); if (!e) return false; %s; return true; })()"
                % (json.dumps(selector), action), "returnByValue": True}, session)
            if not found["result"].get("value"):
                raise RuntimeError(f"no element {selector} on the page")

        for step in steps:
            if "click" in step:
                element(step["click"], "e.click()")
            elif "type" in step:
                selector, text = step["type"]
                element(selector, "e.focus()")
                call("Input.insertText", {"text": text}, session)
            elif "select" in step:
                selector, value = step["select"]
                element(selector, "e.value = %s; e.dispatchEvent(new Event('change'))"
                        % json.dumps(value))
            elif "wait" in step:
                time.sleep(float(step["wait"]))
            else:
                raise RuntimeError(f"unknown step {step}")
        # The whole page, not just the window.
        size = call("Page.getLayoutMetrics", {}, session)["cssContentSize"]
        call("Emulation.setDeviceMetricsOverride", {
            "width": 1400, "height": min(int(size["height"]) + 20, 6000), "deviceScaleFactor": 1,
            "mobile": False}, session)
        dom = call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                        "returnByValue": True}, session)["result"]["value"]
        png = call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        with open(out + ".html", "w") as f:
            f.write(dom)
        with open(out + ".png", "wb") as f:
            f.write(base64.b64decode(png))
        call("Browser.close")
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
