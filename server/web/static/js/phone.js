// A browser phone: calls the seat over /media-stream exactly as a gateway would (Twilio Media
// Streams JSON: connected, start, 20 ms μ-law media, mark echoes, dtmf, stop).
import { Microphone, Player } from "./media_line.js";
import { fromBase64, toBase64 } from "./ulaw.js";

function sid(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class BrowserPhone {
  constructor({ onState = () => {}, onClosed = () => {} } = {}) {
    this.callSid = sid("CA");
    this.streamSid = sid("MZ");
    this.onState = onState;
    this.onClosed = onClosed;
    this.sequence = 0;
    this.chunk = 0;
    this.open = false;
  }

  send(message) {
    if (!this.open) return;
    this.sequence += 1;
    this.socket.send(JSON.stringify({ sequenceNumber: String(this.sequence), ...message }));
  }

  async dial(from = "") {
    this.player = new Player();
    this.microphone = new Microphone((frame) => this.sendAudio(frame));
    await this.microphone.open(); // asks for the microphone before the line opens
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socket = new WebSocket(`${scheme}://${location.host}/media-stream`);
    this.socket.onopen = () => {
      this.open = true;
      this.send({ event: "connected", protocol: "Call", version: "1.0.0" });
      this.send({
        event: "start",
        streamSid: this.streamSid,
        start: {
          streamSid: this.streamSid, callSid: this.callSid, accountSid: "ACbrowser", tracks: ["inbound"],
          customParameters: from ? { from } : {},
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        },
      });
      this.startedAt = performance.now();
      this.onState("connected");
    };
    this.socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    this.socket.onclose = (event) => {
      this.open = false;
      this.release();
      if (this.player) this.player.close();
      this.onClosed(event.code, event.reason);
    };
  }

  sendAudio(frame) {
    this.chunk += 1;
    this.send({
      event: "media", streamSid: this.streamSid,
      media: {
        track: "inbound", chunk: String(this.chunk),
        timestamp: String(Math.round(performance.now() - (this.startedAt || 0))), payload: toBase64(frame),
      },
    });
  }

  receive(message) {
    if (message.event === "media") {
      this.player.play(fromBase64(message.media.payload));
    } else if (message.event === "mark") {
      const name = message.mark.name;
      this.player.afterQueued(() => this.send({ event: "mark", streamSid: this.streamSid, mark: { name } }));
    } else if (message.event === "clear") {
      this.player.clear();
    }
  }

  pressKey(digit) {
    this.send({ event: "dtmf", streamSid: this.streamSid, dtmf: { track: "inbound_track", digit } });
  }

  hangUp() {
    this.send({ event: "stop", streamSid: this.streamSid, stop: { accountSid: "ACbrowser", callSid: this.callSid } });
    this.release();
  }

  release() {
    if (this.microphone) this.microphone.close();
    this.microphone = null;
  }
}
