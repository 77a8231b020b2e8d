// The start page: the call button, and the call's words and reading beside it.
import { BrowserPhone } from "./phone.js";
import { CallView, watchEvents } from "./call_view.js";

export function wireStartPage(root) {
  const callButton = root.getElementById("call-button");
  const hangUpButton = root.getElementById("hangup-button");
  const status = root.getElementById("call-status");
  const filed = root.getElementById("filed");
  const view = new CallView(root.getElementById("transcript"), root.getElementById("reading"));
  let phone = null;
  let events = null;

  function ended(text) {
    status.textContent = text;
    callButton.disabled = false;
    hangUpButton.disabled = true;
  }

  callButton.addEventListener("click", async () => {
    callButton.disabled = true;
    view.transcript.replaceChildren();
    filed.hidden = true;
    status.textContent = "正在接通…";
    phone = new BrowserPhone({
      onState: () => {
        status.textContent = "通话中，请讲话";
        hangUpButton.disabled = false;
      },
      onClosed: (code, reason) => ended(code === 1000 ? "通话已结束" : `通话中断：${reason || code}`),
    });
    window.hotlinePhone = phone; // for the page's tests: what played, and the call's id
    events = watchEvents(`/media-stream/events/${phone.callSid}`, (event) => {
      view.show(event);
      if (event.type === "call_ended") {
        if (event.ticket) {
          filed.textContent = `已生成工单 ${event.ticket}`;
          filed.hidden = false;
        }
        events.close();
      }
    });
    try {
      await phone.dial();
    } catch (error) {
      ended(`无法拨打：${error.message}`);
      events.close();
    }
  });

  hangUpButton.addEventListener("click", () => {
    hangUpButton.disabled = true;
    status.textContent = "正在挂断…";
    if (phone) phone.hangUp();
  });
}

wireStartPage(document);
