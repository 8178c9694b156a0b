// kefu 客服 — 弹屏: when a call starts ringing at the signed-in agent's extension, the
// server names the call on /events/phone (its id, nothing else) and this script shows a
// banner with what /calls/{id}/pop says of the caller: their customer, a choice when
// several customers have the number, or 新客户. 记录通话 in the banner opens the call's
// page. Without the script nothing pops; the calls are still on the workbench and /calls.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch) return;
  if (!document.querySelector('meta[name="kefu-user"]')) return;

  var holder = null;
  function place() {
    if (holder) return holder;
    holder = document.createElement("div");
    holder.className = "phone-pops";
    holder.setAttribute("data-testid", "phone-pops");
    holder.setAttribute("aria-live", "assertive");
    document.body.appendChild(holder);
    return holder;
  }

  function showPop(id) {
    if (document.querySelector('[data-call-pop="' + id + '"]')) return;
    fetch("/calls/" + id + "/pop", {
      credentials: "same-origin",
      headers: { accept: "text/html" }
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || document.querySelector('[data-call-pop="' + id + '"]')) return;
        var box = document.createElement("div");
        box.innerHTML = html;
        var pop = box.firstElementChild;
        if (pop) place().insertBefore(pop, place().firstChild);
      })
      .catch(function () { /* the next ring tries again */ });
  }

  document.addEventListener("click", function (e) {
    var close = e.target && e.target.closest && e.target.closest("[data-pop-close]");
    if (!close) return;
    var pop = close.closest("[data-call-pop]");
    if (pop && pop.parentNode) pop.parentNode.removeChild(pop);
  });

  var handlers = {
    call: function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (_) { return; }
      if (data && typeof data.call === "number") showPop(data.call);
    }
  };
  // kefu.js (loaded first) closes the stream when the page is left.
  if (window.kefuStream) {
    window.kefuStream("/events/phone", handlers);
  } else {
    new EventSource("/events/phone").addEventListener("call", handlers.call);
  }
})();
