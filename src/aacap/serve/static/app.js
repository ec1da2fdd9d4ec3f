// aacap web page: upload or record a sound, show its caption, candidates, spectrogram and,
// for long recordings, a timeline of segment captions. No external scripts.
"use strict";

const $ = (id) => document.getElementById(id);
const SEGMENT_COLOURS = ["#2f6fde", "#0e9384", "#c4320a", "#7a5af8", "#dc6803", "#3e4784"];

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

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function setStatus(message) {
  $("status").textContent = message;
}

function queryString() {
  const q = new URLSearchParams({ spectrogram: "true" });
  const method = $("method").value;
  q.set("method", method);
  if (method === "beam" && $("beam-size").value) q.set("beam_size", $("beam-size").value);
  if (method !== "greedy" && $("num-candidates").value) q.set("num_candidates", $("num-candidates").value);
  if (method === "sample") {
    for (const [id, name] of [["temperature", "temperature"], ["top-k", "top_k"], ["top-p", "top_p"], ["seed", "seed"]]) {
      if ($(id).value && !$(id).closest("label").hidden) q.set(name, $(id).value);
    }
  }
  if ($("segment").value) q.set("segment_seconds", $("segment").value);
  return q.toString();
}

async function captionBlob(blob, name) {
  showError("");
  setStatus(`captioning ${name} …`);
  $("player").src = URL.createObjectURL(blob);
  const form = new FormData();
  form.append("file", blob, name);
  const started = performance.now();
  let answer;
  try {
    const response = await fetch(`/v1/captions?${queryString()}`, { method: "POST", body: form });
    answer = await response.json();
    if (!response.ok) {
      setStatus("");
      showError(`${response.status}: ${answer.detail || "request failed"}`);
      return;
    }
  } catch (err) {
    setStatus("");
    showError(`request failed: ${err}`);
    return;
  }
  setStatus(`${name}: ${answer.duration_s.toFixed(1)} s captioned in ` +
            `${((performance.now() - started) / 1000).toFixed(2)} s`);
  render(answer);
}

function render(answer) {
  $("result").hidden = false;
  $("caption").textContent = answer.caption;
  const t = answer.timing;
  $("timing").textContent = `${answer.model} · model ${t.compute_s.toFixed(3)} s in a batch of ` +
    `${t.batch_size} · waited ${t.queue_s.toFixed(3)} s · total ${t.total_s.toFixed(3)} s`;
  const list = $("candidates");
  list.replaceChildren(...answer.candidates.map((c) => item(c.caption,
    c.logprob !== undefined ? `log-prob ${c.logprob.toFixed(2)}` : `score ${c.score.toFixed(3)}`)));
  $("tags").replaceChildren(...tagItems(answer.tags));
  if (answer.spectrogram) drawSpectrogram(answer.spectrogram);
  renderTimeline(answer.segments, answer.duration_s);
}

// Top sound classes as chips: "Dog 0.93".
function tagItems(tags) {
  return (tags || []).map((t) => {
    const li = document.createElement("li");
    li.textContent = `${t.name} ${t.score.toFixed(2)}`;
    return li;
  });
}

function item(text, note, onClick) {
  const li = document.createElement("li");
  li.textContent = text;
  const span = document.createElement("span");
  span.textContent = note;
  li.appendChild(span);
  if (onClick) li.addEventListener("click", onClick);
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

function drawSpectrogram(spec) {
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
}

function clock(s) {
  const m = Math.floor(s / 60);
  return `${m}:${(s - 60 * m).toFixed(1).padStart(4, "0")}`;
}

function renderTimeline(segments, duration) {
  $("timeline-box").hidden = !segments;
  if (!segments) return;
  const seek = (s) => () => { $("player").currentTime = s.start_s; $("player").play(); };
  const bar = $("timeline");
  bar.replaceChildren(...segments.map((s, i) => {
    const div = document.createElement("div");
    div.className = "seg";
    div.style.left = `${(100 * s.start_s) / duration}%`;
    div.style.width = `${(100 * (s.end_s - s.start_s)) / duration}%`;
    div.style.background = SEGMENT_COLOURS[i % SEGMENT_COLOURS.length];
    div.title = `${clock(s.start_s)}–${clock(s.end_s)}: ${s.caption}`;
    div.textContent = s.caption;
    div.addEventListener("click", seek(s));
    return div;
  }));
  $("segments").replaceChildren(...segments.map((s) => {
    const li = item(s.caption, `${clock(s.start_s)}–${clock(s.end_s)}`, seek(s));
    const tags = document.createElement("ul");
    tags.className = "tags";
    tags.replaceChildren(...tagItems(s.tags));
    li.appendChild(tags);
    return li;
  }));
}

// --- input: pick, drop, record ------------------------------------------------------------

$("method").addEventListener("change", showSampling);

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

loadHealth();
