// The audio ends of a browser on a phone line: the microphone as 20 ms μ-law frames at 8 kHz, and
// a player for the μ-law frames the other end sends, which says when what it was given has played
// (a gateway echoes a mark only then) and can drop what it has not played yet (`clear`).
import { Downsampler, FRAME_SAMPLES, PHONE_RATE, decode, encode } from "./ulaw.js";

export class Microphone {
  constructor(onFrame) {
    this.onFrame = onFrame; // called with each 160-byte μ-law frame
    this.pending = new Float32Array(0);
  }

  async open() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("这个浏览器不能使用麦克风（需要 https 或 127.0.0.1 上的页面）");
    }
    // Echo cancellation keeps the seat's voice from the speakers out of the line; the rest of the
    // browser's voice processing smears the consonants the recogniser needs, so it stays off.
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
    // The browser's own resampler (a proper low-pass) takes the microphone down to 8 kHz where it
    // will; where it will not, the box filter below does.
    try {
      this.context = new AudioContext({ sampleRate: PHONE_RATE });
    } catch (_) {
      this.context = new AudioContext();
    }
    await this.context.audioWorklet.addModule("/static/js/capture_worklet.js");
    const source = this.context.createMediaStreamSource(this.stream);
    const capture = new AudioWorkletNode(this.context, "capture");
    const downsampler = new Downsampler(this.context.sampleRate);
    capture.port.onmessage = (event) => this.take(downsampler.push(event.data));
    source.connect(capture);
    // A worklet only runs while connected to the graph's end; it writes nothing to it.
    capture.connect(this.context.destination);
  }

  take(samples) {
    const all = new Float32Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    let start = 0;
    for (; start + FRAME_SAMPLES <= all.length; start += FRAME_SAMPLES) {
      this.onFrame(encode(all.subarray(start, start + FRAME_SAMPLES)));
    }
    this.pending = all.slice(start);
  }

  close() {
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    if (this.context) this.context.close();
  }
}

export class Player {
  constructor() {
    this.context = new AudioContext();
    this.playingUntil = 0; // context time at which everything queued has played
    this.sources = new Set();
    this.waiting = new Set(); // {timer, done} of marks held until their audio has played
    this.framesPlayed = 0;
    this.loudest = 0; // the peak of everything played, for a page (or a test) to tell sound from silence
  }

  play(ulawBytes) {
    const samples = decode(ulawBytes);
    for (const s of samples) this.loudest = Math.max(this.loudest, Math.abs(s));
    const buffer = this.context.createBuffer(1, samples.length, PHONE_RATE);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const startAt = Math.max(this.context.currentTime + 0.02, this.playingUntil);
    source.start(startAt);
    this.playingUntil = startAt + buffer.duration;
    this.sources.add(source);
    source.onended = () => this.sources.delete(source);
    this.framesPlayed += 1;
  }

  // Calls `done` once the audio queued so far has played (at once if nothing is queued).
  afterQueued(done) {
    const wait = Math.max(0, this.playingUntil - this.context.currentTime) * 1000;
    const entry = { done };
    entry.timer = setTimeout(() => {
      this.waiting.delete(entry);
      done();
    }, wait);
    this.waiting.add(entry);
  }

  // Drops what has not played; marks held for it are released at once, as Twilio does.
  clear() {
    for (const source of this.sources) {
      try { source.stop(); } catch (_) { /* already ended */ }
    }
    this.sources.clear();
    this.playingUntil = this.context.currentTime;
    for (const entry of this.waiting) {
      clearTimeout(entry.timer);
      entry.done();
    }
    this.waiting.clear();
  }

  close() {
    this.clear();
    this.context.close();
  }
}
