// kefu 客服 — the live-chat widget a web site shows with one tag:
//   <script src="https://kefu.example.com/chat/widget.js" data-kefu-chat="1" async></script>
// It draws its own small window in a shadow root (nothing of the page's style leaks in or
// out), opens a WebSocket to kefu, and keeps the visitor's token in localStorage so a
// reload or a dropped connection comes back to the same chat. Messages are numbered here
// (cseq) and sent again until kefu acknowledges them; kefu stores each number once.
// Enter sends, Shift+Enter makes a new line, and Enter while an input method composes
// (pinyin, then choosing the characters) never sends. No dependencies.
(function () {
  "use strict";
  if (!window.WebSocket || !window.JSON || !document.createElement("div").attachShadow) return;
  var T = "__KEFU_CHAT_TEXTS__";
  var script = document.currentScript || document.querySelector("script[data-kefu-chat]");
  if (!script || !script.src) return;
  var channel = script.getAttribute("data-kefu-chat");
  if (!channel || !/^[0-9]+$/.test(channel)) return;
  if (document.querySelector('[data-kefu-chat-host="' + channel + '"]')) return;
  var base = new URL(script.src, window.location.href).origin;
  var wsBase = base.replace(/^http/, "ws");
  var visitorName = script.getAttribute("data-visitor-name") || null;
  var visitorContact = script.getAttribute("data-visitor-contact") || null;
  var KEY = "kefu.chat." + base + "." + channel;

  // --- what the widget keeps between pages: the token, the numbers, what awaits an ack ---
  function load() {
    try {
      var v = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (v && typeof v === "object") return v;
    } catch (_) { /* private mode, or a broken value */ }
    return {};
  }
  var kept = load();
  var token = typeof kept.token === "string" ? kept.token : null;
  var nextCseq = typeof kept.nextCseq === "number" ? kept.nextCseq : 1;
  var pending = Array.isArray(kept.pending) ? kept.pending : [];
  function save() {
    try {
      window.localStorage.setItem(KEY, JSON.stringify({ token: token, nextCseq: nextCseq, pending: pending }));
    } catch (_) { /* the chat still works for this page */ }
  }

  // --- the window ---
  var host = document.createElement("div");
  host.setAttribute("data-kefu-chat-host", channel);
  var root = host.attachShadow({ mode: "open" });
  var css = [
    ":host{all:initial}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;",
    "background:#1f6feb;color:#fff;font:600 15px/1 system-ui,sans-serif;padding:14px 18px;cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".launcher .badge{display:inline-block;min-width:18px;margin-left:6px;border-radius:9px;background:#e5534b;",
    "font-size:12px;padding:3px 5px;text-align:center}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-width:calc(100vw - 24px);",
    "height:460px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#1f2328;",
    "border-radius:10px;box-shadow:0 8px 28px rgba(0,0,0,.28);font:14px/1.5 system-ui,'PingFang SC',",
    "'Microsoft YaHei',sans-serif;overflow:hidden}",
    ".panel[hidden],[hidden]{display:none!important}",
    ".head{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#1f6feb;color:#fff}",
    ".head .title{font-weight:600;flex:1}",
    ".head button{background:transparent;border:0;color:#fff;cursor:pointer;font:inherit;padding:2px 6px}",
    ".status{font-size:12px;color:#57606a;padding:4px 12px;border-bottom:1px solid #eaeef2}",
    ".messages{flex:1;overflow-y:auto;padding:10px 12px;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:85%;padding:6px 10px;border-radius:8px;background:#f1f3f5;white-space:pre-wrap;",
    "word-break:break-word;align-self:flex-start}",
    ".msg .name{display:block;font-size:12px;color:#57606a}",
    ".msg.visitor{align-self:flex-end;background:#dbeafe}",
    ".msg.visitor .name{display:none}",
    ".msg.system{align-self:center;background:transparent;color:#57606a;font-size:12px;text-align:center}",
    ".msg.system .name{display:none}",
    ".msg.pending{opacity:.6}",
    ".msg .meta{display:block;font-size:11px;color:#8c959f}",
    ".compose{display:flex;gap:6px;padding:8px;border-top:1px solid #eaeef2}",
    ".compose textarea{flex:1;resize:none;height:56px;font:inherit;padding:6px;border:1px solid #d0d7de;",
    "border-radius:6px}",
    ".compose button,.offline button,.again{background:#1f6feb;color:#fff;border:0;border-radius:6px;",
    "padding:0 14px;font:inherit;cursor:pointer}",
    ".hint{font-size:11px;color:#8c959f;padding:0 10px 6px}",
    ".error{color:#cf222e;font-size:12px;padding:0 10px 6px}",
    ".offline{display:flex;flex-direction:column;gap:6px;padding:12px;overflow-y:auto;flex:1}",
    ".offline input,.offline textarea{font:inherit;padding:6px;border:1px solid #d0d7de;border-radius:6px}",
    ".offline textarea{height:90px;resize:vertical}",
    ".offline button{padding:8px 14px}",
    ".again{margin:6px auto;padding:8px 14px}"
  ].join("");
  if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (_) {
      var st = document.createElement("style");
      st.textContent = css;
      root.appendChild(st);
    }
  } else {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function part(e, name) {
    e.setAttribute("data-part", name);
    return e;
  }

  var launcher = part(el("button", "launcher", T.open), "launcher");
  launcher.type = "button";
  var badge = el("span", "badge");
  badge.hidden = true;
  launcher.appendChild(badge);
  var panel = part(el("div", "panel"), "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", T.title);
  var head = el("div", "head");
  head.appendChild(el("span", "title", T.title));
  var endBtn = part(el("button", "", T.end), "end");
  endBtn.type = "button";
  endBtn.hidden = true;
  var closeBtn = part(el("button", "", "×"), "close");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  head.appendChild(endBtn);
  head.appendChild(closeBtn);
  var statusLine = part(el("div", "status", ""), "status");
  statusLine.setAttribute("aria-live", "polite");
  var list = part(el("div", "messages"), "messages");
  list.setAttribute("aria-live", "polite");
  var again = part(el("button", "again", T.new_chat), "new-chat");
  again.type = "button";
  again.hidden = true;
  var compose = el("div", "compose");
  var input = part(el("textarea"), "input");
  input.setAttribute("placeholder", T.placeholder);
  input.setAttribute("aria-label", T.placeholder);
  var sendBtn = part(el("button", "", T.send), "send");
  sendBtn.type = "button";
  compose.appendChild(input);
  compose.appendChild(sendBtn);
  var hint = el("div", "hint", T.hint);
  var errorLine = part(el("div", "error"), "error");
  errorLine.hidden = true;
  errorLine.setAttribute("role", "alert");
  var chatView = el("div");
  chatView.style.display = "contents";
  chatView.appendChild(statusLine);
  chatView.appendChild(list);
  chatView.appendChild(again);
  chatView.appendChild(errorLine);
  chatView.appendChild(compose);
  chatView.appendChild(hint);

  var offline = part(el("form", "offline"), "offline");
  offline.hidden = true;
  offline.appendChild(el("strong", "", T.offline_title));
  offline.appendChild(el("span", "", T.offline_hint));
  function field(label, name, tag) {
    var l = el("label", "", label);
    var f = document.createElement(tag || "input");
    f.name = name;
    f.required = true;
    f.style.display = "block";
    f.style.width = "100%";
    f.style.boxSizing = "border-box";
    l.appendChild(f);
    offline.appendChild(l);
    return f;
  }
  var offName = field(T.name, "name");
  var offContact = field(T.contact, "contact");
  var offText = field(T.message, "text", "textarea");
  var offError = part(el("div", "error"), "offline-error");
  offError.hidden = true;
  var offDone = part(el("div", "status"), "offline-done");
  offDone.hidden = true;
  var offSend = part(el("button", "", T.leave), "offline-send");
  offSend.type = "submit";
  offline.appendChild(offError);
  offline.appendChild(offSend);
  offline.appendChild(offDone);

  panel.appendChild(head);
  panel.appendChild(chatView);
  panel.appendChild(offline);
  root.appendChild(launcher);
  root.appendChild(panel);
  (document.body || document.documentElement).appendChild(host);

  // --- what is on screen ---
  var lastSeq = 0;
  var sessionId = null;
  var unread = 0;
  var status = null;
  var greeted = false;
  var maxChars = 0;

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }
  function time(at) {
    var d = at ? new Date(at * 1000) : new Date();
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function bubble(from, name, text, at) {
    var m = part(el("div", "msg " + from), "message");
    m.setAttribute("data-from", from);
    m.appendChild(el("span", "name", name || (from === "agent" ? T.agent : "")));
    m.appendChild(part(el("span", "text", text), "text"));
    m.appendChild(el("span", "meta", time(at)));
    list.appendChild(m);
    scrollDown();
    return m;
  }
  function findCseq(cseq) {
    return list.querySelector('[data-cseq="' + cseq + '"]');
  }
  function showError(text) {
    errorLine.textContent = text || "";
    errorLine.hidden = !text;
  }
  function setStatus(s, agent) {
    status = s;
    var words = { waiting: T.waiting, active: T.active, ended: T.ended };
    var text = words[s] || "";
    if (s === "active" && agent) text = text + " · " + agent;
    statusLine.textContent = text;
    var ended = s === "ended";
    again.hidden = !ended;
    compose.hidden = ended;
    hint.hidden = ended;
    endBtn.hidden = !(s === "waiting" || s === "active") || !sessionId;
    if (s === "offline") {
      chatView.hidden = true;
      offline.hidden = false;
    } else {
      chatView.hidden = false;
      offline.hidden = true;
    }
  }
  function greet(text) {
    if (greeted || !text) return;
    greeted = true;
    var g = bubble("agent", T.agent, text, null);
    g.setAttribute("data-greeting", "1");
  }

  // --- the connection ---
  var ws = null;
  var ready = false;
  var backoff = 1000;
  var timer = null;
  var wanted = false;

  function frame(o) {
    if (ws && ready) {
      try { ws.send(JSON.stringify(o)); return true; } catch (_) { return false; }
    }
    return false;
  }
  function flush() {
    pending.forEach(function (p) { frame({ t: "msg", cseq: p.cseq, text: p.text }); });
  }
  function connect() {
    wanted = true;
    if (ws) return;
    clearTimeout(timer);
    ready = false;
    try {
      ws = new WebSocket(wsBase + "/chat/ws/" + channel);
    } catch (_) {
      retry();
      return;
    }
    ws.onopen = function () {
      ws.send(JSON.stringify({
        t: "hello", token: token, last_seq: lastSeq,
        name: visitorName, contact: visitorContact, page: String(window.location.href).slice(0, 500)
      }));
    };
    ws.onmessage = function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (_) { return; }
      if (f && typeof f.t === "string") onFrame(f);
    };
    ws.onclose = function () {
      ws = null;
      ready = false;
      if (wanted) {
        statusLine.textContent = T.reconnecting;
        retry();
      }
    };
    ws.onerror = function () { /* onclose follows */ };
  }
  function retry() {
    clearTimeout(timer);
    var wait = backoff + Math.floor(Math.random() * 500);
    backoff = Math.min(backoff * 2, 30000);
    timer = setTimeout(connect, wait);
  }

  function onFrame(f) {
    if (f.t === "welcome") {
      ready = true;
      backoff = 1000;
      if (f.token !== token) {
        token = f.token;
        save();
      }
      maxChars = f.max_chars || 0;
      sessionId = f.session || null;
      greet(f.greeting);
      setStatus(f.status, f.agent);
      flush();
    } else if (f.t === "msg") {
      if (typeof f.seq !== "number" || f.seq <= lastSeq) return;
      lastSeq = f.seq;
      var mine = f.from === "visitor" && f.cseq != null ? findCseq(f.cseq) : null;
      if (mine) {
        mine.classList.remove("pending");
        mine.setAttribute("data-seq", String(f.seq));
        return;
      }
      var m = bubble(f.from, f.name, f.text, f.at);
      m.setAttribute("data-seq", String(f.seq));
      if (f.cseq != null) m.setAttribute("data-cseq", String(f.cseq));
      if (f.from === "agent" && panel.hidden) {
        unread += 1;
        badge.textContent = String(unread);
        badge.hidden = false;
      }
    } else if (f.t === "ack") {
      pending = pending.filter(function (p) { return p.cseq !== f.cseq; });
      save();
      var a = findCseq(f.cseq);
      if (a) a.classList.remove("pending");
    } else if (f.t === "status") {
      if (f.session) sessionId = f.session;
      setStatus(f.status, f.agent);
    } else if (f.t === "error") {
      if (f.cseq != null) {
        var refused = f.code === "too_long" || f.code === "empty" || f.code === "ended" ||
          f.code === "rate_limited" || f.code === "refused";
        if (refused) {
          var gone = pending.filter(function (p) { return p.cseq === f.cseq; })[0];
          pending = pending.filter(function (p) { return p.cseq !== f.cseq; });
          save();
          var b = findCseq(f.cseq);
          if (b && b.parentNode) b.parentNode.removeChild(b);
          if (gone && !input.value) input.value = gone.text;
        }
      }
      showError(f.message || T.failed);
      if (f.code === "ended") setStatus("ended");
    }
  }

  function send() {
    var text = input.value.replace(/^\s+|\s+$/g, "");
    if (!text || status === "ended") return;
    if (maxChars && text.length > maxChars) {
      showError(T.too_long.replace("{max}", String(maxChars)));
      return;
    }
    showError("");
    var cseq = nextCseq;
    nextCseq += 1;
    pending.push({ cseq: cseq, text: text });
    save();
    input.value = "";
    var m = bubble("visitor", T.you, text, null);
    m.classList.add("pending");
    m.setAttribute("data-cseq", String(cseq));
    if (!frame({ t: "msg", cseq: cseq, text: text })) connect();
  }

  // An input method composes: its keys (Enter choosing the characters) are not ours.
  var composing = false;
  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () { composing = false; });
  input.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" && e.keyCode !== 13) return;
    if (composing || e.isComposing || e.keyCode === 229) return;
    if (e.shiftKey) return;
    e.preventDefault();
    send();
  });
  sendBtn.addEventListener("click", function () { send(); });

  function open() {
    panel.hidden = false;
    unread = 0;
    badge.hidden = true;
    connect();
    setTimeout(function () { input.focus(); }, 0);
  }
  launcher.addEventListener("click", function () {
    if (panel.hidden) open(); else panel.hidden = true;
  });
  closeBtn.addEventListener("click", function () { panel.hidden = true; });
  endBtn.addEventListener("click", function () { frame({ t: "end" }); });
  again.addEventListener("click", function () {
    // A new chat: a new token, nothing kept of the old one.
    token = null;
    pending = [];
    nextCseq = 1;
    save();
    lastSeq = 0;
    sessionId = null;
    greeted = false;
    list.textContent = "";
    showError("");
    if (ws) {
      wanted = true;
      var old = ws;
      ws = null;
      ready = false;
      old.onclose = null;
      try { old.close(); } catch (_) { /* gone already */ }
    }
    connect();
  });

  offline.addEventListener("submit", function (e) {
    e.preventDefault();
    offError.hidden = true;
    offSend.disabled = true;
    var formId = "w" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    fetch(base + "/chat/offline/" + channel, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "content-type": "application/json", "accept": "application/json" },
      body: JSON.stringify({ name: offName.value, contact: offContact.value, text: offText.value, form_id: formId })
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (res.ok) {
          offDone.textContent = res.body.message || T.received;
          offDone.hidden = false;
          offName.disabled = offContact.disabled = offText.disabled = true;
          offSend.hidden = true;
        } else {
          offError.textContent = (res.body && res.body.error && res.body.error.message) || T.failed;
          offError.hidden = false;
          offSend.disabled = false;
        }
      })
      .catch(function () {
        offError.textContent = T.failed;
        offError.hidden = false;
        offSend.disabled = false;
      });
  });

  // A chat under way comes back at once (its answers show on the launcher); otherwise the
  // socket opens when the visitor opens the window.
  if (token) connect();
  window.addEventListener("online", function () { if (wanted && !ws) connect(); });
})();
