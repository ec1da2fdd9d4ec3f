// aacap web page: upload or record a sound, show its caption, candidates, spectrogram and,
// for long recordings, a timeline of segment captions. No external scripts.
"use strict";

const $ = (id) => document.getElementById(id);
// White text on each of these has a contrast of at least 5.4:1 (WCAG AA asks 4.5:1).
const SEGMENT_COLOURS = ["#1f5bc4", "#107569", "#b42d08", "#6941c6", "#b54708", "#3e4784"];

async function loadHealth() {
  try {
    const info = await (await fetch("/healthz")).json();
    $("model").textContent = `${info.model} (${info.sample_rate} Hz)`;
    $("max-mb").textContent = info.max_upload_mb;
    $("max-s").textContent = info.max_audio_s;
    $("clip-s").textContent = info.max_clip_s;
    offerOptions(info.options || []);
  } catch (err) {
    showError(`the server does not answer /healthz (${err})`);
  }
}

// Offer only the decoding options the served model honours (/healthz lists them).
function offerOptions(supported) {
  for (const label of document.querySelectorAll("[data-option]")) {
    label.hidden = !supported.includes(label.dataset.option);
  }
  const sampling = ["temperature", "top_k", "top_p", "seed"].some((o) => supported.includes(o));
  for (const option of $("method").options) {
    if (option.value === "sample") option.hidden = option.disabled = !sampling;
  }
  showSampling();
}

function showSampling() {
  const sample = $("method").value === "sample";
  for (const label of document.querySelectorAll("label.sampling")) {
    label.classList.toggle("off", !sample);
  }
}

// An error never shows under an earlier result: the result goes first.
function showError(message) {
  if (message) clearResult();
  $("error").textContent = message;
  $("error").hidden = !message;
}

function setStatus(message) {
  $("status").textContent = message;
}

// The value of an option field, or "" when the model does not offer that option.
function option(id) {
  return $(id).closest("label").hidden ? "" : $(id).value;
}

function queryString() {
  const q = new URLSearchParams({ spectrogram: "true" });
  const method = option("method");
  if (method) q.set("method", method);
  if (method !== "greedy" && method !== "sample" && option("beam-size")) q.set("beam_size", option("beam-size"));
  if (method !== "greedy" && option("num-candidates")) q.set("num_candidates", option("num-candidates"));
  if (method === "sample") {
    for (const [id, name] of [["temperature", "temperature"], ["top-k", "top_k"], ["top-p", "top_p"], ["seed", "seed"]]) {
      if (option(id)) q.set(name, option(id));
    }
  }
  if ($("segment").value) q.set("segment_seconds", $("segment").value);
  return q.toString();
}

let latest = 0; // the request whose answer the page shows; older answers are dropped

async function captionBlob(blob, name) {
  const request = ++latest;
  showError("");
  clearResult();
  setStatus(`captioning ${name} …`);
  const form = new FormData();
  form.append("file", blob, name);
  const started = performance.now();
  let answer;
  try {
    const response = await fetch(`/v1/captions?${queryString()}`, { method: "POST", body: form });
    answer = await response.json();
    if (request !== latest) return;
    if (!response.ok) {
      setStatus("");
      showError(`${response.status}: ${answer.detail || "request failed"}`);
      return;
    }
  } catch (err) {
    if (request !== latest) return;
    setStatus("");
    showError(`request failed: ${err}`);
    return;
  }
  setStatus(`${name}: “${answer.caption}” (${answer.duration_s.toFixed(1)} s, captioned in ` +
            `${((performance.now() - started) / 1000).toFixed(2)} s)`);
  $("player").src = URL.createObjectURL(blob);
  render(answer, name);
}

// Nothing of an earlier recording stays on screen: caption, lists, drawing and player go.
function clearResult() {
  $("result").hidden = true;
  $("caption").textContent = $("timing").textContent = "";
  for (const id of ["tags", "candidates", "segments", "freq-axis", "time-axis"]) $(id).replaceChildren();
  $("timeline").replaceChildren(playheads()[1]);
  $("timeline-box").hidden = true;
  const canvas = $("spectrogram");
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  canvas.setAttribute("aria-label", "spectrogram: none yet");
  const player = $("player");
  if (player.src) URL.revokeObjectURL(player.src);
  player.removeAttribute("src");
  player.load();
  shown = null;
}

function render(answer, name) {
  $("result").hidden = false;
  $("caption").textContent = answer.caption;
  const t = answer.timing;
  $("timing").textContent = `${answer.model} · model ${t.compute_s.toFixed(3)} s in a batch of ` +
    `${t.batch_size} · waited ${t.queue_s.toFixed(3)} s · total ${t.total_s.toFixed(3)} s`;
  const list = $("candidates");
  list.replaceChildren(...answer.candidates.map((c) => item(c.caption,
    c.logprob !== undefined ? `log-prob ${c.logprob.toFixed(2)}` : `score ${c.score.toFixed(3)}`)));
  $("tags").replaceChildren(...tagItems(answer.tags));
  shown = { duration: answer.duration_s, span: answer.duration_s, segments: answer.segments || [] };
  if (answer.spectrogram) drawSpectrogram(answer.spectrogram, name);
  renderTimeline(answer.segments, answer.duration_s);
  movePlayhead();
}

// Top sound classes as chips: "Dog 0.93".
function tagItems(tags) {
  return (tags || []).map((t) => {
    const li = document.createElement("li");
    li.textContent = `${t.name} ${t.score.toFixed(2)}`;
    return li;
  });
}

function item(text, note) {
  const li = document.createElement("li");
  li.textContent = text;
  const span = document.createElement("span");
  span.textContent = note;
  li.appendChild(span);
  return li;
}

// A viridis-like colour map: five anchors, linear in between. v in [0, 255].
const ANCHORS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function colour(v) {
  const x = (v / 255) * (ANCHORS.length - 1);
  const i = Math.min(Math.floor(x), ANCHORS.length - 2);
  const f = x - i;
  return ANCHORS[i].map((a, k) => Math.round(a + f * (ANCHORS[i + 1][k] - a)));
}

function drawSpectrogram(spec, name) {
  const bytes = Uint8Array.from(atob(spec.data), (ch) => ch.charCodeAt(0)); // (frames, n_mels)
  const canvas = $("spectrogram");
  canvas.width = spec.frames;
  canvas.height = spec.n_mels;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(spec.frames, spec.n_mels);
  for (let x = 0; x < spec.frames; x++) {
    for (let m = 0; m < spec.n_mels; m++) {
      const [r, g, b] = colour(bytes[x * spec.n_mels + m]);
      const p = ((spec.n_mels - 1 - m) * spec.frames + x) * 4; // low frequencies at the bottom
      image.data[p] = r; image.data[p + 1] = g; image.data[p + 2] = b; image.data[p + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  canvas.dataset.frames = spec.frames;
  shown.span = spec.frames * spec.hop_s; // the columns cover this many seconds
  drawAxes(spec, shown.span);
  canvas.setAttribute("aria-label", describe(spec, bytes, name));
}

// The canvas's text alternative: what it spans and where the energy is.
function describe(spec, bytes, name) {
  const band = new Float64Array(spec.n_mels);
  const frame = new Float64Array(spec.frames);
  for (let x = 0; x < spec.frames; x++) {
    for (let m = 0; m < spec.n_mels; m++) {
      band[m] += bytes[x * spec.n_mels + m];
      frame[x] += bytes[x * spec.n_mels + m];
    }
  }
  const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);
  const hz = spec.band_hz;
  return `Spectrogram of ${name}: ${clock(0)} to ${clock(shown.duration)}, ` +
    `${hertz(spec.f_min_hz)} to ${hertz(spec.f_max_hz)}; most energy around ` +
    `${hertz(hz[argmax(band)])}, loudest at ${clock(argmax(frame) * spec.hop_s)}.`;
}

function hertz(f) {
  return f >= 1000 ? `${+(f / 1000).toFixed(1)} kHz` : `${Math.round(f)} Hz`;
}

// Tick labels beside and under the canvas: frequencies on the mel scale, times in seconds.
function drawAxes(spec, span) {
  const hz = spec.band_hz;
  const freqTicks = [100, 500, 1000, 2000, 4000, 8000, 16000]
    .filter((f) => f >= hz[0] && f <= hz[hz.length - 1]);
  $("freq-axis").replaceChildren(...freqTicks.map((f) => {
    let i = 0;
    while (hz[i + 1] < f) i++;
    const band = i + (f - hz[i]) / (hz[i + 1] - hz[i]); // fractional band index
    return tick(hertz(f), "bottom", (100 * (band + 0.5)) / spec.n_mels);
  }));
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]
    .find((s) => span / s <= 8) || 3600;
  const times = [];
  for (let t = 0; t <= span + 1e-9; t += step) times.push(t);
  $("time-axis").replaceChildren(...times.map((t) => tick(
    span < 60 ? `${+t.toFixed(1)} s` : clock(t).replace(/\.0$/, ""), "left", (100 * t) / span)));
}

function tick(text, side, percent) {
  const span = document.createElement("span");
  span.textContent = text;
  span.style[side] = `${percent}%`;
  return span;
}

function clock(s) {
  const m = Math.floor(s / 60);
  return `${m}:${(s - 60 * m).toFixed(1).padStart(4, "0")}`;
}

function playheads() {
  return document.querySelectorAll(".playhead"); // [spectrogram, timeline]
}

let shown = null; // {duration, span (s the spectrogram covers), segments} of the result shown

// The playheads follow the player over the spectrogram and the timeline; the segment being
// played is marked (aria-current) in the timeline and the list.
function movePlayhead() {
  const [onSpec, onTimeline] = playheads();
  onSpec.hidden = onTimeline.hidden = !shown;
  if (!shown) return;
  const t = $("player").currentTime || 0;
  onSpec.style.left = `${Math.min(100, (100 * t) / shown.span)}%`;
  onTimeline.style.left = `${Math.min(100, (100 * t) / shown.duration)}%`;
  shown.segments.forEach((s, i) => {
    const now = s.start_s <= t && (t < s.end_s || (i === shown.segments.length - 1 && t >= s.end_s));
    for (const el of [$("timeline").children[i + 1], $("segments").children[i]?.firstChild]) {
      if (!el) continue;
      if (now) el.setAttribute("aria-current", "time"); else el.removeAttribute("aria-current");
    }
  });
}

function followPlayer() {
  movePlayhead();
  if (!$("player").paused) requestAnimationFrame(followPlayer);
}

for (const event of ["timeupdate", "seeked", "play", "loadedmetadata"]) {
  $("player").addEventListener(event, event === "play" ? followPlayer : movePlayhead);
}

function renderTimeline(segments, duration) {
  $("timeline-box").hidden = !segments;
  if (!segments) return;
  const seek = (s) => () => {
    $("player").currentTime = s.start_s;
    $("player").play().catch(() => {}); // a browser may refuse to autoplay: the seek stays
  };
  const when = (s) => `${clock(s.start_s)}–${clock(s.end_s)}`;
  const bar = $("timeline");
  bar.replaceChildren(playheads()[1], ...segments.map((s, i) => {
    const block = document.createElement("button");
    block.type = "button";
    block.className = "seg";
    block.style.left = `${(100 * s.start_s) / duration}%`;
    block.style.width = `${(100 * (s.end_s - s.start_s)) / duration}%`;
    block.style.background = SEGMENT_COLOURS[i % SEGMENT_COLOURS.length];
    block.title = `${when(s)}: ${s.caption} (press to play from ${clock(s.start_s)})`;
    const time = document.createElement("span");
    time.className = "visually-hidden";
    time.textContent = `${clock(s.start_s)} to ${clock(s.end_s)}: `;
    block.append(time, s.caption);
    block.addEventListener("click", seek(s));
    return block;
  }));
  $("segments").replaceChildren(...segments.map((s) => {
    const li = document.createElement("li");
    const play = document.createElement("button");
    play.type = "button";
    play.className = "row-play";
    const span = document.createElement("span");
    span.textContent = when(s);
    play.append(`${s.caption} `, span); // the space keeps the name "caption 0:00.0–0:10.0"
    play.addEventListener("click", seek(s));
    const tags = document.createElement("ul");
    tags.className = "tags";
    tags.setAttribute("aria-label", `Sound classes ${clock(s.start_s)} to ${clock(s.end_s)}`);
    tags.replaceChildren(...tagItems(s.tags));
    li.append(play, tags);
    return li;
  }));
}

// --- input: pick, drop, record ------------------------------------------------------------

$("method").addEventListener("change", showSampling);

$("drop").addEventListener("click", () => $("file").click()); // a button: Enter and Space too

$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  if (file) captionBlob(file, file.name);
  $("file").value = "";
});

const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const file = e.dataTransfer.files[0];
  if (file) captionBlob(file, file.name);
});

let recorder = null;
let recTimer = null;

$("record").addEventListener("click", async () => {
  if (recorder) { recorder.stop(); return; }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    showError(`no microphone: ${err.message || err}`);
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  recorder.onstop = async () => {
    stream.getTracks().forEach((track) => track.stop());
    clearInterval(recTimer);
    recorder = null;
    $("record").textContent = "● Record";
    $("record").classList.remove("recording");
    $("rec-time").textContent = "";
    try { // MediaRecorder gives webm/ogg; the server reads wav, so convert in the browser
      const wav = await toWav(new Blob(chunks, { type: chunks[0]?.type }));
      captionBlob(wav, "recording.wav");
    } catch (err) {
      showError(`could not decode the recording: ${err.message || err}`);
    }
  };
  recorder.start();
  const started = Date.now();
  recTimer = setInterval(() => { $("rec-time").textContent = clock((Date.now() - started) / 1000); }, 100);
  $("record").textContent = "■ Stop";
  $("record").classList.add("recording");
});

// Decode any browser-playable blob and encode it as 16-bit mono PCM WAV.
async function toWav(blob) {
  const ctx = new AudioContext();
  const audio = await ctx.decodeAudioData(await blob.arrayBuffer());
  ctx.close();
  const n = audio.length;
  const mono = new Float32Array(n);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const data = audio.getChannelData(c);
    for (let i = 0; i < n; i++) mono[i] += data[i] / audio.numberOfChannels;
  }
  const out = new DataView(new ArrayBuffer(44 + 2 * n));
  const text = (offset, s) => [...s].forEach((ch, i) => out.setUint8(offset + i, ch.charCodeAt(0)));
  text(0, "RIFF"); out.setUint32(4, 36 + 2 * n, true); text(8, "WAVE");
  text(12, "fmt "); out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true);
  out.setUint32(24, audio.sampleRate, true); out.setUint32(28, 2 * audio.sampleRate, true);
  out.setUint16(32, 2, true); out.setUint16(34, 16, true);
  text(36, "data"); out.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) {
    out.setInt16(44 + 2 * i, Math.max(-1, Math.min(1, mono[i])) * 0x7fff, true);
  }
  return new Blob([out.buffer], { type: "audio/wav" });
}

clearResult();
loadHealth();
