// G.711 μ-law and 8 kHz framing in the browser, as a phone gateway does it: 20 ms frames of 160
// bytes, base64 in the media-stream JSON. Encoding follows ITU-T G.711 (bias 0x84, clip 32635),
// the same table voice/codec.py uses on the server.

export const PHONE_RATE = 8000;
export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz

const BIAS = 0x84;
const CLIP = 32635;

export function encodeSample(sample) {
  // sample: a float in [-1, 1]
  let pcm = Math.max(-1, Math.min(1, sample)) * 32767;
  pcm = Math.round(pcm);
  const sign = pcm < 0 ? 0x80 : 0;
  if (sign) pcm = -pcm;
  if (pcm > CLIP) pcm = CLIP;
  pcm += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const DECODE = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const byte = ~i & 0xff;
  const sign = byte & 0x80;
  const exponent = (byte >> 4) & 0x07;
  const mantissa = byte & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  DECODE[i] = (sign ? -magnitude : magnitude) / 32768;
}

export function encode(samples) {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeSample(samples[i]);
  return out;
}

export function decode(bytes) {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE[bytes[i]];
  return out;
}

export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

// From the sound card's rate down to 8 kHz: each output sample is the mean of the input samples
// its 1/8000 s spans (a box filter: crude, but it keeps what lies above 4 kHz from folding back
// as loudly as plain decimation would, and telephone speech lives below 3.4 kHz anyway).
export class Downsampler {
  constructor(inputRate) {
    this.step = inputRate / PHONE_RATE;
    this.position = 0; // where the next output sample starts, in input samples from the buffer's start
    this.carry = new Float32Array(0);
  }

  push(input) {
    const samples = new Float32Array(this.carry.length + input.length);
    samples.set(this.carry);
    samples.set(input, this.carry.length);
    const out = [];
    let start = this.position;
    while (start + this.step <= samples.length) {
      const from = Math.floor(start);
      const to = Math.floor(start + this.step);
      let sum = 0;
      for (let i = from; i < to; i++) sum += samples[i];
      out.push(to > from ? sum / (to - from) : samples[from]);
      start += this.step;
    }
    const kept = Math.floor(start);
    this.carry = samples.slice(kept);
    this.position = start - kept;
    return Float32Array.from(out);
  }
}
