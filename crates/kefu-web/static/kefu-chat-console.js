// kefu 客服 — the chat console's script (/chat): the lines of the agent's own chats arrive
// on /chat/events and are added to the open transcript; when the queues change the page's
// lists are read again. The reply box sends without reloading: Enter sends, Shift+Enter
// makes a new line, and Enter while an input method composes (pinyin, then choosing the
// characters) never sends. A reply script is put in where the agent's cursor is. Without
// the script every action still works as a plain form.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat-console]");
  if (!root || !window.fetch) return;
  var csrfMeta = document.querySelector('meta[name="kefu-csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var session = root.getAttribute("data-chat-console") || "";

  function transcript() {
    return document.querySelector("[data-chat-transcript]");
  }
  function lastSeq() {
    var t = transcript();
    return t ? parseInt(t.getAttribute("data-last-seq"), 10) || 0 : 0;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function stamp(at) {
    var d = new Date(at * 1000);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function say(form, text) {
    var s = form && form.querySelector("[data-testid=chat-reply-status]");
    if (!s) return;
    s.textContent = text || "";
    s.hidden = !text;
  }

  // A line of the open chat, in order; a gap (a line missed) reads the page again.
  function addLine(l) {
    var t = transcript();
    if (!t || String(l.session) !== session || typeof l.seq !== "number") return;
    var last = lastSeq();
    if (l.seq <= last) return;
    if (l.seq > last + 1) {
      refresh(true);
      return;
    }
    var empty = t.querySelector(".chat-empty");
    if (empty) empty.parentNode.removeChild(empty);
    var li = document.createElement("li");
    li.className = "chat-line from-" + l.from;
    li.setAttribute("data-seq", String(l.seq));
    li.setAttribute("data-from", l.from);
    var who = document.createElement("span");
    who.className = "who small muted";
    who.textContent = (l.from !== "system" ? l.name + " · " : "") + stamp(l.at);
    var text = document.createElement("div");
    text.className = "chat-text";
    text.textContent = l.text;
    li.appendChild(who);
    li.appendChild(text);
    t.appendChild(li);
    t.setAttribute("data-last-seq", String(l.seq));
    t.scrollTop = t.scrollHeight;
  }

  // The page read again: the lists and the chat's head always; the transcript, the reply
  // area and the side when the chat's state changed (or a line was missed).
  var timer = null;
  var wantAll = false;
  function refresh(all) {
    wantAll = wantAll || !!all;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var whole = wantAll;
      wantAll = false;
      fetch(window.location.href, { credentials: "same-origin", headers: { accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var was = document.querySelector("[data-testid=chat-status]");
          var now = doc.querySelector("[data-testid=chat-status]");
          var changed = (was && was.getAttribute("data-status")) !== (now && now.getAttribute("data-status"));
          var regions = ["lists", "head"];
          if (whole || changed) regions = regions.concat(["transcript", "actions", "side"]);
          regions.forEach(function (name) {
            var here = document.querySelector('[data-chat-region="' + name + '"]');
            var there = doc.querySelector('[data-chat-region="' + name + '"]');
            if (here && there) here.parentNode.replaceChild(document.importNode(there, true), here);
          });
          var t = transcript();
          if (t) t.scrollTop = t.scrollHeight;
        })
        .catch(function () { /* the next event tries again */ });
    }, 250);
  }

  function send(form) {
    var box = form.querySelector('textarea[name="body"]');
    if (!box || !box.value.replace(/\s+/g, "")) return;
    var id = form.getAttribute("data-chat-reply");
    var text = box.value;
    var body = new URLSearchParams();
    body.append("body", text);
    box.value = "";
    say(form, "");
    fetch("/chat/sessions/" + encodeURIComponent(id) + "/messages", {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": csrf, accept: "application/json" },
      body: body
    })
      .then(function (r) {
        return r.json().then(function (b) { return { ok: r.ok, body: b }; });
      })
      .then(function (res) {
        if (res.ok) {
          addLine(res.body);
        } else {
          if (!box.value) box.value = text;
          say(form, (res.body && res.body.error && res.body.error.message) || root.getAttribute("data-send-failed"));
        }
      })
      .catch(function () {
        if (!box.value) box.value = text;
        say(form, root.getAttribute("data-send-failed"));
      });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.matches || !form.matches("form[data-chat-reply]")) return;
    e.preventDefault();
    send(form);
  });

  // An input method composes: its Enter chooses characters and is not ours.
  var composing = false;
  document.addEventListener("compositionstart", function () { composing = true; }, true);
  document.addEventListener("compositionend", function () { composing = false; }, true);
  document.addEventListener("keydown", function (e) {
    var box = e.target;
    if (!box || !box.matches || !box.matches("form[data-chat-reply] textarea")) return;
    if (e.key !== "Enter" && e.keyCode !== 13) return;
    if (composing || e.isComposing || e.keyCode === 229) return;
    if (e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
    e.preventDefault();
    send(box.form);
  });

  // Where the agent's cursor was in the reply box, kept while they pick a script.
  var caret = null;
  document.addEventListener("focusout", function (e) {
    var box = e.target;
    if (box && box.matches && box.matches("form[data-chat-reply] textarea")) {
      caret = [box.selectionStart, box.selectionEnd];
    }
  });
  function insertAtCursor(box, text) {
    var v = box.value;
    var start = caret ? Math.min(caret[0], v.length) : v.length;
    var end = caret ? Math.min(caret[1], v.length) : v.length;
    box.value = v.slice(0, start) + text + v.slice(end);
    var at = start + text.length;
    box.focus();
    box.setSelectionRange(at, at);
    caret = [at, at];
  }
  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest && e.target.closest("[data-chat-script]");
    if (!b) return;
    e.preventDefault();
    var form = b.closest("form");
    var select = form && form.querySelector('select[name="script"]');
    var box = form && form.querySelector('textarea[name="body"]');
    if (!select || !box || !select.value) return;
    fetch("/chat/sessions/" + encodeURIComponent(b.getAttribute("data-chat-script")) +
          "/script/" + encodeURIComponent(select.value), {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": csrf, accept: "application/json" }
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (res.ok && typeof res.body.text === "string") {
          insertAtCursor(box, res.body.text);
          say(form, "");
        } else {
          say(form, (res.body && res.body.error && res.body.error.message) || root.getAttribute("data-script-failed"));
        }
      })
      .catch(function () { say(form, root.getAttribute("data-script-failed")); });
  });

  var t = transcript();
  if (t) t.scrollTop = t.scrollHeight;

  if (!window.EventSource) return;
  var handlers = {
    msg: function (e) {
      var l;
      try { l = JSON.parse(e.data); } catch (_) { return; }
      if (String(l.session) === session) addLine(l);
      // kefu's own lines mark a change of the chat's state; any line moves the lists.
      refresh(false);
    },
    queue: function (e) {
      var all = false;
      try { all = !!JSON.parse(e.data).all; } catch (_) { /* a plain nudge */ }
      refresh(all);
    }
  };
  // kefu.js (loaded first) closes the stream when the page is left.
  if (window.kefuStream) {
    window.kefuStream("/chat/events", handlers);
  } else {
    var events = new EventSource("/chat/events");
    events.addEventListener("msg", handlers.msg);
    events.addEventListener("queue", handlers.queue);
  }
})();
