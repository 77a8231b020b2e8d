// What a page shows of a call as it happens, from its events (/api/events or the caller's own
// /media-stream/events/…): the words both ways, partials included, and the seat's reading so far.

const ROUTES = { answer: "解答", ticket: "工单", handoff: "转人工", abandoned: "排队时挂断", queue_timeout: "排队超时" };
const YES_NO = (value) => (value ? "是" : "否");

export class CallView {
  constructor(transcript, reading) {
    this.transcript = transcript; // an element the lines go into
    this.reading = reading; // a <dl> whose <dd data-field=…> are filled
    this.partials = new Map(); // turn → its line while the caller is still speaking
    this.finals = new Map(); // turn → its line once heard
  }

  line(kind, text) {
    const line = document.createElement("div");
    line.className = kind;
    line.textContent = text;
    this.transcript.append(line);
    this.transcript.scrollTop = this.transcript.scrollHeight;
    return line;
  }

  show(event) {
    if (event.type === "partial") {
      const text = (event.confirmed || "") + (event.tentative || "");
      if (!text) return;
      let line = this.partials.get(event.turn);
      if (!line) {
        line = this.line("caller partial", "");
        this.partials.set(event.turn, line);
      }
      line.textContent = text;
    } else if (event.type === "final") {
      // A turn read again (a number re-read digit by digit, a place name respelt) replaces its
      // words; keypad entries (turn -1) are each a line of their own.
      const again = event.turn >= 0 ? this.finals.get(event.turn) : undefined;
      const line = this.partials.get(event.turn) || again || this.line("caller", "");
      line.className = "caller";
      line.textContent = event.text;
      line.dataset.turn = event.turn;
      this.partials.delete(event.turn);
      if (event.turn >= 0) this.finals.set(event.turn, line);
    } else if (event.type === "reply" && event.text) {
      this.line("seat", event.text);
    } else if (event.type === "agent_joined") {
      this.line("seat", `（人工座席 ${event.agent || ""} 已接入）`);
    } else if (event.type === "reading") {
      this.fill(event);
    }
  }

  fill(reading) {
    if (!this.reading) return;
    const values = {
      ...reading,
      route: ROUTES[reading.route] || reading.route,
      urgent: YES_NO(reading.urgent),
      police: YES_NO(reading.police),
    };
    for (const cell of this.reading.querySelectorAll("[data-field]")) {
      const value = values[cell.dataset.field];
      cell.textContent = value === null || value === undefined || value === "" ? "—" : String(value);
    }
  }
}

export function watchEvents(path, onEvent, onClose = () => {}) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${path}`);
  socket.onmessage = (message) => onEvent(JSON.parse(message.data));
  socket.onclose = onClose;
  return socket;
}
