"""The web page in a real headless browser (Debian's chromium driven by Selenium): it loads,
captions an uploaded file (the same caption as the API), draws the spectrogram with its axes
and text alternative, shows the timeline of a long recording, records from a (fake)
microphone, shows errors without the old result, works from the keyboard, and axe-core finds no
serious or critical accessibility violation in it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("Debian's chromium and chromium-driver are absent (`make chromium` installs "
                "them)", allow_module_level=True)
pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install aacap[serve])")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

import httpx  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from serve_helpers import audio_bytes  # noqa: E402

TIMEOUT = 30  # s


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                 "--window-size=1000,1400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def upload(browser, server, path: Path) -> None:
    browser.get(server.url)
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "model").text != "…")
    browser.find_element(By.ID, "file").send_keys(str(path))


def wait_for_caption(browser, name: str) -> None:
    """Until the status line says `name` was captioned (or an error shows)."""
    WebDriverWait(browser, TIMEOUT).until(
        lambda d: d.find_element(By.ID, "status").text.startswith(f"{name}: ")
        or d.find_element(By.ID, "error").is_displayed())
    assert not browser.find_element(By.ID, "error").is_displayed(), \
        browser.find_element(By.ID, "error").text


def test_page_captions_an_uploaded_file(browser, server, tmp_path: Path) -> None:
    path = tmp_path / "noise.wav"
    path.write_bytes(audio_bytes(2.0, 16000, seed=7))
    upload(browser, server, path)
    wait_for_caption(browser, "noise.wav")
    assert "tiny" in browser.find_element(By.ID, "model").text
    expected = httpx.post(f"{server.url}/v1/captions", content=path.read_bytes(),
                          params={"method": "beam", "beam_size": 3, "spectrogram": "true"},
                          timeout=60).json()
    assert browser.find_element(By.ID, "caption").text == expected["caption"]
    shown = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#candidates li")]
    assert len(shown) == len(expected["candidates"]) == 3
    assert all(li.startswith(c["caption"]) for li, c in zip(shown, expected["candidates"]))
    # the spectrogram is drawn: one column per frame, not a blank canvas
    width, painted = browser.execute_script("""
        const c = document.getElementById('spectrogram');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) painted++;
        return [c.width, painted / (d.length / 4)];""")
    assert width == expected["spectrogram"]["frames"] and painted > 0.9
    assert not browser.find_element(By.ID, "timeline-box").is_displayed()


def test_page_shows_the_timeline_of_a_long_recording(browser, server, tmp_path: Path) -> None:
    path = tmp_path / "long.flac"  # 9 s > the test server's max_clip_s = 5 s
    path.write_bytes(audio_bytes(9.0, 16000, fmt="FLAC", seed=8))
    upload(browser, server, path)
    wait_for_caption(browser, "long.flac")
    expected = httpx.post(f"{server.url}/v1/captions", content=path.read_bytes(),
                          timeout=60).json()["segments"]
    assert browser.find_element(By.ID, "timeline-box").is_displayed()
    blocks = browser.find_elements(By.CSS_SELECTOR, "#timeline .seg")
    rows = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#segments > li > button")]
    assert len(blocks) == len(rows) == len(expected)
    assert all(row.startswith(s["caption"]) for row, s in zip(rows, expected))
    assert rows[-1].endswith("0:09.0")


def test_page_records_from_the_microphone(browser, server) -> None:
    browser.get(server.url)
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "model").text != "…")
    button = browser.find_element(By.ID, "record")
    button.click()
    WebDriverWait(browser, TIMEOUT).until(lambda d: "Stop" in button.text)
    WebDriverWait(browser, TIMEOUT).until(
        lambda d: d.find_element(By.ID, "rec-time").text >= "0:01.0")
    button.click()
    wait_for_caption(browser, "recording.wav")
    assert browser.find_element(By.ID, "caption").text
    assert "Record" in button.text


def test_page_shows_a_bad_file_error(browser, server, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not audio")
    upload(browser, server, path)
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "error").is_displayed())
    assert browser.find_element(By.ID, "error").text.startswith("415: notes.txt: is a text file, not audio")


@pytest.fixture(scope="module")
def default_server():
    from aacap.captioning.default import load_default
    from aacap.serve import ServeConfig, create_app
    from serve_helpers import LiveServer

    with LiveServer(create_app(load_default(), ServeConfig(max_wait_ms=5))) as live:
        yield live


def test_page_shows_tags_scores_and_only_supported_options(browser, default_server,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    path.write_bytes(audio_bytes(2.0, 16000, freq=440.0))
    upload(browser, default_server, path)
    wait_for_caption(browser, "tone.wav")
    expected = httpx.post(f"{default_server.url}/v1/captions", content=path.read_bytes(),
                          params={"beam_size": 3}, timeout=60).json()
    chips = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#tags li")]
    assert chips == [f"{t['name']} {t['score']:.2f}" for t in expected["tags"]] and chips
    shown = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#candidates li")]
    assert shown and all("score " in li for li in shown)
    supported = httpx.get(f"{default_server.url}/healthz").json()["options"]
    for label in browser.find_elements(By.CSS_SELECTOR, "[data-option]"):
        assert (label.get_attribute("hidden") is None) == (label.get_attribute("data-option")
                                                           in supported)


def tab_to(browser, element_id: str, presses: int = 30) -> None:
    """Move the focus with the Tab key (as a keyboard user does) until `element_id` has it."""
    browser.execute_script("document.activeElement.blur()")  # from the top of the page
    for _ in range(presses):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_page_uploads_from_the_keyboard(browser, server) -> None:
    browser.get(server.url)
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "model").text != "…")
    # the file chooser cannot be driven headless: count the times the page opens it
    browser.execute_script("window.opened = 0;"
                           "document.getElementById('file').click = () => window.opened++;")
    tab_to(browser, "drop")
    drop = browser.switch_to.active_element
    assert drop.tag_name == "button" and drop.accessible_name.startswith("Drop an audio file")
    drop.send_keys(Keys.ENTER)
    drop.send_keys(Keys.SPACE)
    assert browser.execute_script("return window.opened") == 2


def test_page_spectrogram_has_axes_a_text_alternative_and_a_playhead(browser, server,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"  # a 2 kHz tone: the text alternative must say so
    path.write_bytes(audio_bytes(3.0, 16000, freq=2000.0))
    upload(browser, server, path)
    wait_for_caption(browser, "tone.wav")
    canvas = browser.find_element(By.ID, "spectrogram")
    assert canvas.get_attribute("role") == "img"
    label = canvas.get_attribute("aria-label")
    assert label.startswith("Spectrogram of tone.wav: 0:00.0 to 0:03.0, 50 Hz to 16 kHz; ")
    around = label.split("most energy around ")[1].split(",")[0]
    assert around in ("1.9 kHz", "2 kHz", "2.1 kHz"), label
    freq = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#freq-axis span")]
    assert freq == ["500 Hz", "1 kHz", "2 kHz", "4 kHz", "8 kHz"]  # a 32 kHz model
    times = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#time-axis span")]
    assert times == ["0 s", "0.5 s", "1 s", "1.5 s", "2 s", "2.5 s", "3 s"]
    # the playhead follows the player: at 1.5 s it stands half way along the 3 s drawing
    position = browser.execute_async_script("""
        const done = arguments[0], player = document.getElementById('player');
        const at = () => {
          player.addEventListener('seeked', () => requestAnimationFrame(() => {
            const head = document.querySelector('.plot .playhead').getBoundingClientRect();
            const plot = document.querySelector('.plot').getBoundingClientRect();
            done((head.left + head.width / 2 - plot.left) / plot.width);
          }), { once: true });
          player.currentTime = 1.5;
        };
        if (player.readyState >= 1) at(); else player.addEventListener('loadedmetadata', at);""")
    span = 3.0 / (3.0 + 0.01)  # the drawing covers frames * hop_s = 3.01 s
    assert abs(position - 0.5 * span) < 0.01


def clock(seconds: float) -> str:
    """The page's m:ss.s."""
    minutes = int(seconds // 60)
    return f"{minutes}:{seconds - 60 * minutes:04.1f}"


def test_page_timeline_segments_work_from_the_keyboard(browser, server, tmp_path: Path) -> None:
    path = tmp_path / "long.wav"  # 9 s: three segments with the tiny model (0-4, 4-6, 6-9 s)
    path.write_bytes(audio_bytes(9.0, 16000, seed=8))
    upload(browser, server, path)
    wait_for_caption(browser, "long.wav")
    expected = httpx.post(f"{server.url}/v1/captions", content=path.read_bytes(),
                          timeout=60).json()["segments"]
    blocks = browser.find_elements(By.CSS_SELECTOR, "#timeline .seg")
    rows = browser.find_elements(By.CSS_SELECTOR, "#segments > li > button")
    assert len(blocks) == len(rows) == len(expected) >= 2
    for block, row, s in zip(blocks, rows, expected):  # each labelled with its times
        assert block.accessible_name == f"{clock(s['start_s'])} to {clock(s['end_s'])}: " \
                                        f"{s['caption']}"
        assert row.accessible_name == f"{s['caption']} {clock(s['start_s'])}–{clock(s['end_s'])}"
    browser.execute_script("arguments[0].focus()", blocks[0])
    browser.switch_to.active_element.send_keys(Keys.TAB)  # the next segment, in time order
    second = browser.switch_to.active_element
    assert second == blocks[1]
    second.send_keys(Keys.ENTER)  # plays from the segment's start
    start = expected[1]["start_s"]
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.execute_script(
        "return document.getElementById('player').currentTime") >= start)
    WebDriverWait(browser, TIMEOUT).until(lambda d: second.get_attribute("aria-current") == "time")
    assert rows[1].get_attribute("aria-current") == "time"
    assert rows[0].get_attribute("aria-current") is None
    rows[0].send_keys(Keys.SPACE)  # a list item plays its segment too
    WebDriverWait(browser, TIMEOUT).until(lambda d: rows[0].get_attribute("aria-current"))


def test_page_error_clears_the_previous_result(browser, server, tmp_path: Path) -> None:
    path = tmp_path / "noise.wav"
    path.write_bytes(audio_bytes(1.0, 16000, seed=3))
    upload(browser, server, path)
    wait_for_caption(browser, "noise.wav")
    assert browser.find_element(By.ID, "caption").text
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    browser.find_element(By.ID, "file").send_keys(str(empty))
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "error").is_displayed())
    assert browser.find_element(By.ID, "error").text.startswith("400: empty.wav: is empty (0 bytes)")
    assert not browser.find_element(By.ID, "result").is_displayed()
    assert browser.execute_script("""
        const p = document.getElementById('player');
        return [p.getAttribute('src'), document.getElementById('caption').textContent,
                document.querySelectorAll('#candidates li').length]""") == [None, "", 0]


AXE = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/axe-core/axe.min.js"


def serious_violations(browser) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.x A/AA and
    best practices), one line each: rule, impact, the elements it names."""
    if not browser.execute_script("return typeof axe !== 'undefined'"):
        browser.execute_script(AXE.read_text())
    found = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document).then((r) => done(r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' '))}))), (e) => done([{id: 'axe failed',
          impact: 'critical', help: String(e), nodes: []}]));""")
    return [f"{v['id']} ({v['impact']}): {v['help']}: {', '.join(v['nodes'])}"
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent (`make axe-core` installs it "
                                             "from npm into .cache/npm)")
def test_page_has_no_serious_accessibility_violations(browser, server, default_server,
                                                      tmp_path: Path) -> None:
    browser.get(server.url)
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "model").text != "…")
    assert serious_violations(browser) == [], "before a caption"
    browser.find_element(By.TAG_NAME, "summary").click()  # the options open
    assert serious_violations(browser) == [], "with the options open"
    long = tmp_path / "long.wav"
    long.write_bytes(audio_bytes(9.0, 16000, seed=5))
    browser.find_element(By.ID, "file").send_keys(str(long))
    wait_for_caption(browser, "long.wav")
    assert browser.find_element(By.ID, "timeline-box").is_displayed()
    assert serious_violations(browser) == [], "after a caption with its timeline"
    # the check can fail: the old teal under the white segment text (3.8:1) is caught
    browser.execute_script("document.querySelector('#timeline .seg').style.background = "
                           "'#0e9384'")
    caught = serious_violations(browser)
    assert len(caught) == 1 and caught[0].startswith("color-contrast (serious)"), caught
    browser.execute_script("document.querySelector('#timeline .seg').style.background = ''")
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    WebDriverWait(browser, TIMEOUT).until(lambda d: d.find_element(By.ID, "error").is_displayed())
    assert serious_violations(browser) == [], "after an error"
    tone = tmp_path / "tone.wav"  # the default model: tags, scores, its own options
    tone.write_bytes(audio_bytes(2.0, 16000, freq=440.0))
    upload(browser, default_server, tone)
    wait_for_caption(browser, "tone.wav")
    assert browser.find_elements(By.CSS_SELECTOR, "#tags li")
    assert serious_violations(browser) == [], "after a caption with tags"


def test_docs_page_shows_the_response_models(browser, server) -> None:
    browser.get(f"{server.url}/docs")
    WebDriverWait(browser, TIMEOUT).until(
        lambda d: "CaptionResponse" in d.find_element(By.TAG_NAME, "body").text)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert all(name in body for name in ("Candidate", "Segment", "Tag", "Timing", "Health"))
