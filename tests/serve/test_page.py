"""The web page in a real headless browser (Debian's chromium driven by Selenium): it loads,
captions an uploaded file (the same caption as the API), draws the spectrogram, shows the
timeline of a long recording, records from a (fake) microphone, and shows errors."""

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
    rows = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#segments li")]
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
