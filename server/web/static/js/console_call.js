// A live call on the console: its words and the seat's reading as they come, KB suggestions for
// what the caller says, the order form kept filled from the reading (a field the agent has edited
// is theirs), and the audio line: take the call over with the microphone, or listen in.
import { CallView, watchEvents } from "./call_view.js";
import { Microphone, Player } from "./media_line.js";
import { fromBase64, toBase64 } from "./ulaw.js";

function lineSocket(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return new WebSocket(`${scheme}://${location.host}${path}`);
}

// The agent's side of a taken call: the microphone to the caller, the caller to the speaker.
class AgentLine {
  constructor(callSid, onState) {
    this.callSid = callSid;
    this.onState = onState;
    this.player = new Player();
  }

  async open() {
    this.microphone = new Microphone((frame) => {
      if (this.socket && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ event: "media", media: { payload: toBase64(frame) } }));
      }
    });
    await this.microphone.open();
    this.socket = lineSocket(`/console/calls/${this.callSid}/line`);
    this.socket.onopen = () => this.onState("open");
    this.socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.event === "media") this.player.play(fromBase64(event.media.payload));
      else if (event.event === "stop") this.onState("caller-left");
    };
    this.socket.onclose = (event) => {
      this.microphone.close();
      this.onState("closed", event);
    };
  }

  close() {
    if (this.socket) this.socket.close();
  }
}

// A supervisor listening in: both directions, each on a player of its own.
class ListenLine {
  constructor(callSid, onState) {
    this.players = { inbound: new Player(), outbound: new Player() };
    this.socket = lineSocket(`/console/calls/${callSid}/listen`);
    this.socket.onopen = () => onState("open");
    this.socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.event === "media") this.players[event.media.track].play(fromBase64(event.media.payload));
      else if (event.event === "stop") onState("caller-left");
    };
    this.socket.onclose = () => onState("closed");
  }

  get framesPlayed() {
    return this.players.inbound.framesPlayed + this.players.outbound.framesPlayed;
  }

  close() {
    this.socket.close();
  }
}

function keepFormFilled(form, reading) {
  if (!form) return;
  for (const [name, value] of Object.entries(reading)) {
    const field = form.elements.namedItem(name);
    if (!field || field.dataset.edited || value === null || value === undefined) continue;
    if (field.type === "checkbox") field.checked = Boolean(value);
    else field.value = value;
  }
}

export function wireCallPage(root, callSid) {
  const view = new CallView(root.getElementById("transcript"), root.getElementById("reading"));
  const brief = root.getElementById("brief");
  const status = root.getElementById("line-status");
  const take = root.getElementById("take-button");
  const drop = root.getElementById("drop-button");
  const listen = root.getElementById("listen-button");
  const suggestions = root.getElementById("suggestions");
  const console_ = (window.hotlineConsole = { callSid }); // for the page's tests
  const said = [];

  root.addEventListener("input", (event) => {
    if (event.target.form && event.target.form.id === "order-form") event.target.dataset.edited = "1";
  });

  watchEvents(`/api/events?call=${encodeURIComponent(callSid)}`, (event) => {
    view.show(event);
    if (event.type === "final" && event.text) {
      said.push(event.text);
      // The KB suggestions follow the caller's words as they come.
      htmx.ajax("GET", `/console/suggest?q=${encodeURIComponent(said.join("，"))}`, { target: suggestions });
    } else if (event.type === "reading") {
      // The event shows the caller masked, as every watcher sees it; the agent's own route gives
      // the whole reading for the brief, the panel and the form (a masked number is never filled in).
      if (event.brief) brief.textContent = event.brief;
      fetch(`/console/calls/${encodeURIComponent(callSid)}/reading`)
        .then((answer) => (answer.ok ? answer.json() : null))
        .then((reading) => {
          if (!reading) return;
          view.fill(reading);
          if (reading.brief) brief.textContent = reading.brief;
          keepFormFilled(root.getElementById("order-form"), reading);
        });
    } else if (event.type === "agent_joined" && !console_.agent) {
      take.disabled = true;
      status.textContent = `已由 ${event.agent} 接听`;
    } else if (event.type === "call_ended") {
      status.textContent = "通话已结束，请完成工单";
      take.disabled = true;
      drop.disabled = true;
    }
  });

  take?.addEventListener("click", async () => {
    take.disabled = true;
    status.textContent = "正在接入…";
    const line = (console_.agent = new AgentLine(callSid, (state) => {
      if (state === "open") {
        status.textContent = "通话中：您已接入，虚拟座席已停止";
        drop.disabled = false;
      } else if (state === "caller-left") {
        status.textContent = "来电人已挂断";
      } else if (state === "closed") {
        drop.disabled = true;
        if (!status.textContent.includes("挂断")) status.textContent = "您已挂断";
      }
    }));
    try {
      await line.open();
    } catch (error) {
      status.textContent = `无法接听：${error.message}`;
      take.disabled = false;
    }
  });

  drop?.addEventListener("click", () => console_.agent && console_.agent.close());

  listen?.addEventListener("click", () => {
    listen.disabled = true;
    console_.listener = new ListenLine(callSid, (state) => {
      if (state === "open") listen.textContent = "监听中";
      else if (state !== "open") listen.textContent = "监听已结束";
    });
  });
}

// The call page names its call on this script's element (no inline script: the pages' CSP).
wireCallPage(document, document.querySelector("script[data-call-sid]").dataset.callSid);
