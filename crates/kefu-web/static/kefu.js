// kefu 客服 — the little script the staff pages use: live queue and ticket updates over
// server-sent events, the warning when another agent is answering the same ticket, pickers
// that suggest as one types, reply scripts put in at the cursor, and keyboard shortcuts.
// Every page works without it; it only makes the work quicker and keeps the screen current.
(function () {
  "use strict";
  var meta = function (name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  };
  // A print button (the complaint investigation report) prints the page.
  document.addEventListener("click", function (e) {
    if (e.target && e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  var me = meta("kefu-user");
  var csrf = meta("kefu-csrf");

  // A page's server-sent events, closed when the page is left and opened again when the
  // browser brings the page back from its back/forward cache. A page kept there would hold
  // its connection, and over HTTP/1.1 a browser opens only six to one site: a few pages
  // left behind would make the next one wait for a free connection.
  window.kefuStream = function (url, handlers) {
    if (!window.EventSource) return;
    var source = null;
    var open = function () {
      source = new EventSource(url);
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, handlers[name]);
      });
    };
    open();
    window.addEventListener("pagehide", function () {
      if (source) source.close();
      source = null;
    });
    window.addEventListener("pageshow", function (e) {
      if (e.persisted && !source) open();
    });
  };
  var kefuStream = window.kefuStream;

  // A Chinese input method sends keys while it composes (pinyin, then the choice of
  // characters); none of them is a shortcut or a choice in a list.
  var composing = false;
  document.addEventListener("compositionstart", function () { composing = true; }, true);
  document.addEventListener("compositionend", function () { composing = false; }, true);
  function imeBusy(e) {
    return composing || e.isComposing || e.keyCode === 229;
  }

  function say(el, text, alert) {
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
    el.classList.toggle("alert", !!alert);
  }

  // The reply box, and reply scripts put into it where the agent's cursor is: the page
  // asks for the filled-in text and keeps what was typed, without reloading.
  var replyForm = document.querySelector("form.reply");
  var replyBox = replyForm ? replyForm.querySelector('textarea[name="body"]') : null;
  var scriptPicker = document.querySelector("[data-script-picker]");
  var replyTouched = false;
  if (replyBox) {
    ["focus", "input", "select", "keyup", "mouseup"].forEach(function (name) {
      replyBox.addEventListener(name, function () { replyTouched = true; });
    });
  }
  function insertAtCursor(box, text) {
    var value = box.value;
    var start = value.length;
    var end = value.length;
    if (replyTouched && typeof box.selectionStart === "number") {
      start = box.selectionStart;
      end = box.selectionEnd;
    } else if (value !== "" && value.slice(-1) !== "\n") {
      // A draft the agent has not been in yet: the text goes on a line of its own after it.
      text = "\n" + text;
    }
    box.value = value.slice(0, start) + text + value.slice(end);
    var caret = start + text.length;
    box.focus();
    box.setSelectionRange(caret, caret);
    replyTouched = true;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  var scriptBusy = false;
  function insertScript(scriptId) {
    if (!scriptPicker || !replyBox || !scriptId || scriptBusy) return;
    var status = scriptPicker.querySelector(".script-status");
    var ticketId = scriptPicker.getAttribute("data-script-picker");
    scriptBusy = true;
    fetch("/tickets/" + encodeURIComponent(ticketId) + "/script/" + encodeURIComponent(scriptId), {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": csrf, "accept": "application/json" }
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok || typeof res.body.text !== "string") {
          var message = res.body && res.body.error && res.body.error.message;
          say(status, message || scriptPicker.getAttribute("data-failed"), true);
          return;
        }
        insertAtCursor(replyBox, res.body.text);
        say(status, res.body.ticket_changed ? scriptPicker.getAttribute("data-applied") : "", false);
      })
      .catch(function () { say(status, scriptPicker.getAttribute("data-failed"), true); })
      .finally(function () { scriptBusy = false; });
  }
  if (scriptPicker && replyBox) {
    var useScript = scriptPicker.querySelector("[data-testid=use-script]");
    var scriptSelect = scriptPicker.querySelector('select[name="script"]');
    if (useScript && scriptSelect) {
      useScript.addEventListener("click", function (e) {
        e.preventDefault();
        insertScript(scriptSelect.value);
      });
    }
  }

  // Pickers that suggest as one types: customers (linking a ticket, or a complaint being
  // registered), reply scripts, and the search box in the top bar. The arrow keys move
  // through the suggestions, Enter chooses, Escape closes.
  var pickers = 0;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    var list = input.parentNode.querySelector("ul.suggest");
    if (!list) return;
    var top = input.dataset.suggest === "top";
    var timer = null;
    var asked = "";
    var items = [];
    var active = -1;
    pickers += 1;
    if (!list.id) list.id = "suggest-" + pickers;
    list.setAttribute("role", "listbox");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var scope = input.form || input.closest(".script-picker") || document;
    // A picker with data-target fills a hidden field of its form with the chosen id; typing
    // again unlinks until another is chosen.
    var target = input.dataset.target && input.form
      ? input.form.querySelector('input[name="' + input.dataset.target + '"]')
      : null;
    function activate(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.classList.toggle("active", j === i);
        li.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      var li = i >= 0 ? list.children[i] : null;
      if (li) {
        input.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      activate(-1);
    }
    function choose(item) {
      if (top) {
        close();
        window.location.href = item.link;
      } else if (target) {
        target.value = String(item.id);
        input.value = item.title;
        input.setAttribute("data-linked", String(item.id));
        close();
      } else if (input.dataset.form) {
        var form = document.getElementById(input.dataset.form);
        form.querySelector('input[name="customer"]').value = item.id;
        form.submit();
      } else if (input.dataset.select) {
        var select = scope.querySelector('select[name="' + input.dataset.select + '"]');
        select.value = String(item.id);
        input.value = item.title;
        close();
        if (input.dataset.insert) insertScript(String(item.id));
      }
    }
    function show(found) {
      items = found;
      list.innerHTML = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var b = document.createElement("button");
        b.type = "button";
        b.tabIndex = -1;
        if (top && item.kind_label) {
          var kind = document.createElement("span");
          kind.className = "suggest-kind";
          kind.textContent = item.kind_label;
          b.appendChild(kind);
        }
        b.appendChild(document.createTextNode(item.title));
        if (item.subtitle) {
          var sub = document.createElement("span");
          sub.className = "suggest-sub";
          sub.textContent = " · " + item.subtitle;
          b.appendChild(sub);
        }
        b.addEventListener("click", function () { choose(item); });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      activate(-1);
    }
    input.addEventListener("input", function () {
      if (target) {
        target.value = "";
        input.removeAttribute("data-linked");
      }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (!q) { asked = ""; show([]); return; }
        asked = q;
        fetch("/search/suggest?kind=" + input.dataset.suggest + "&q=" + encodeURIComponent(q),
              { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) { if (asked === q) show(found); })
          .catch(function () { show([]); });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (imeBusy(e)) return;
      var open = !list.hidden && items.length > 0;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!open) return;
        e.preventDefault();
        var step = e.key === "ArrowDown" ? 1 : -1;
        activate(active < 0
          ? (step > 0 ? 0 : items.length - 1)
          : (active + step + items.length) % items.length);
      } else if (e.key === "Enter") {
        if (open && active >= 0) {
          e.preventDefault();
          choose(items[active]);
        } else if (!top) {
          // Enter in a picker chooses; it never sends the form around it. In the top bar
          // it searches, as it always did.
          e.preventDefault();
        }
      } else if (e.key === "Escape" && open) {
        e.preventDefault();
        close();
      }
    });
    // Choosing with the mouse keeps the focus in the box; leaving the box closes the list.
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });

  // Keyboard shortcuts; `?` lists them. None fires while one types in a field (Ctrl+Enter
  // aside), with Ctrl, Alt or Cmd held, or while an input method composes.
  var help = document.getElementById("shortcuts");
  var queueTable = document.querySelector("[data-live-queue]");
  var ticketPage = document.querySelector("[data-live-ticket]");
  var QUEUE_KEY = "kefu.queue";
  var rowAt = -1;
  var rowTicket = null;
  function typing(el) {
    if (!el || !el.tagName) return false;
    return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      el.isContentEditable;
  }
  function queueRows() {
    return queueTable
      ? Array.prototype.slice.call(queueTable.querySelectorAll("tbody tr[data-testid=ticket-row]"))
      : [];
  }
  function rowId(tr) {
    var tick = tr.querySelector('input[name="ids"]');
    return tick ? tick.value : null;
  }
  function highlight(i, scroll) {
    var rows = queueRows();
    rows.forEach(function (tr, j) {
      tr.classList.toggle("kb-current", j === i);
      if (j === i) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current");
    });
    rowAt = rows[i] ? i : -1;
    rowTicket = rows[i] ? rowId(rows[i]) : null;
    if (scroll && rows[i]) rows[i].scrollIntoView({ block: "nearest" });
  }
  // A queue remembers its tickets for this tab, so j / k on a ticket go through them.
  function rememberQueue() {
    var rows = queueRows();
    var ids = rows.map(rowId).filter(Boolean);
    try {
      sessionStorage.setItem(QUEUE_KEY, JSON.stringify({ ids: ids, href: location.pathname + location.search }));
    } catch (_) { /* storage off: j / k on tickets just say so */ }
    if (rowTicket) highlight(ids.indexOf(rowTicket), false);
  }
  function toast(text) {
    if (!text) return;
    var p = document.createElement("p");
    p.className = "notice shortcut-toast";
    p.setAttribute("role", "status");
    p.setAttribute("data-testid", "shortcut-toast");
    p.textContent = text;
    document.body.appendChild(p);
    setTimeout(function () { p.remove(); }, 3000);
  }
  function stepTicket(step) {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(QUEUE_KEY) || "null"); } catch (_) { saved = null; }
    var ids = saved && saved.ids ? saved.ids : [];
    var at = ids.indexOf(ticketPage.getAttribute("data-live-ticket"));
    if (at < 0) { toast(help && help.getAttribute("data-no-queue")); return; }
    var next = ids[at + step];
    if (!next) { toast(help && help.getAttribute("data-end")); return; }
    window.location.href = "/tickets/" + next;
  }
  function toggleHelp() {
    if (!help) return;
    if (help.open) {
      if (help.close) help.close(); else help.removeAttribute("open");
    } else if (help.showModal) {
      help.showModal();
    } else {
      help.setAttribute("open", "");
    }
  }
  if (queueTable) rememberQueue();
  if (me) document.addEventListener("keydown", function (e) {
    if (imeBusy(e) || e.defaultPrevented) return;
    var el = e.target;
    var key = e.key;
    if (key === "Enter" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
      if (el && el.tagName === "TEXTAREA" && el.form) {
        e.preventDefault();
        if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(el)) return;
    if (key === "?") {
      e.preventDefault();
      toggleHelp();
      return;
    }
    if (help && help.open) return;
    if (key === "/") {
      var search = document.querySelector("[data-testid=topsearch]");
      if (search) {
        e.preventDefault();
        search.focus();
      }
      return;
    }
    if (ticketPage) {
      if ((key === "r" || key === "n") && replyBox) {
        e.preventDefault();
        var radio = replyForm.querySelector('input[name="visibility"][value="' +
          (key === "r" ? "public" : "internal") + '"]');
        if (radio) radio.checked = true;
        replyBox.focus();
      } else if (key === "a") {
        var assign = document.getElementById("assign-me");
        if (assign) {
          e.preventDefault();
          assign.submit();
        }
      } else if (key === "j" || key === "k") {
        e.preventDefault();
        stepTicket(key === "j" ? 1 : -1);
      }
      return;
    }
    if (queueTable) {
      var rows = queueRows();
      if ((key === "j" || key === "k") && rows.length) {
        e.preventDefault();
        var step = key === "j" ? 1 : -1;
        highlight(rowAt < 0
          ? (step > 0 ? 0 : rows.length - 1)
          : Math.max(0, Math.min(rows.length - 1, rowAt + step)), true);
      } else if ((key === "Enter" || key === "o") && rows[rowAt] &&
                 !(el && el.closest && el.closest("a, button"))) {
        var link = rows[rowAt].querySelector('a[href^="/tickets/"]');
        if (link) {
          e.preventDefault();
          window.location.href = link.getAttribute("href");
        }
      }
    }
  });

  // The workbench: its tiles are fetched again when anything changes (a nudge read from the
  // change log, told once for what arrives together), at most every few seconds; and every
  // minute for what the log does not carry (sign-ins, failing jobs, reveals).
  var tiles = document.querySelector("[data-live-tiles]");
  if (me && tiles) {
    var pending = null;
    var last = 0;
    var loading = false;
    var stale = document.getElementById("live-stale");
    var refreshTiles = function () {
      pending = null;
      if (loading) return;
      loading = true;
      last = Date.now();
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-live-tiles]");
          if (fresh) {
            tiles.replaceWith(fresh);
            tiles = fresh;
          }
          tiles.setAttribute("data-refreshed", String(Date.now()));
          if (stale) stale.hidden = true;
        })
        .catch(function () { if (stale) stale.hidden = false; })
        .finally(function () { loading = false; });
    };
    var soon = function () {
      if (pending) return;
      pending = setTimeout(refreshTiles, Math.max(1000, 5000 - (Date.now() - last)));
    };
    kefuStream("/events/workbench", { change: soon });
    setInterval(soon, 60000);
  }

  var queue = document.querySelector("[data-live-queue]");
  var ticket = document.querySelector("[data-live-ticket]");
  if (!me || !(queue || ticket)) return;

  function show(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = false;
  }

  // Queues refresh in place, unless the agent has ticked tickets for a bulk action.
  var refreshing = false;
  function refreshQueue() {
    if (refreshing) return;
    if (queue.querySelector('input[name="ids"]:checked')) {
      show("live-stale");
      return;
    }
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-live-queue] tbody");
        var tabs = doc.querySelector("nav.tabs");
        if (fresh) queue.querySelector("tbody").replaceWith(fresh);
        var oldTabs = document.querySelector("nav.tabs");
        if (tabs && oldTabs) oldTabs.replaceWith(tabs);
        rememberQueue();
        queue.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { show("live-stale"); })
      .finally(function () { refreshing = false; });
  }

  kefuStream("/events/tickets", { ticket: function (e) {
      var change;
      try { change = JSON.parse(e.data); } catch (_) { return; }
      if (queue) refreshQueue();
      if (ticket && (change.ticket === 0 || String(change.ticket) === ticket.getAttribute("data-live-ticket"))
          && String(change.by) !== me) {
        show("live-changed");
      }
  } });

  // Presence: tell the server this ticket is open (and whether a reply is being written);
  // warn when someone else is writing one too.
  if (ticket) {
    var id = ticket.getAttribute("data-live-ticket");
    var box = document.querySelector("form.reply textarea");
    var warning = document.getElementById("live-others");
    var beat = function () {
      var replying = box && box.value.trim() !== "" ? "1" : "0";
      fetch("/tickets/" + id + "/presence", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": csrf },
        body: "replying=" + replying
      })
        .then(function (r) { return r.json(); })
        .then(function (others) {
          if (!warning) return;
          var writing = others.filter(function (o) { return o.replying; });
          var viewing = others.filter(function (o) { return !o.replying; });
          var text = "";
          if (writing.length) {
            text = warning.getAttribute("data-replying").replace("{names}", writing.map(function (o) { return o.name; }).join("、"));
          } else if (viewing.length) {
            text = warning.getAttribute("data-viewing").replace("{names}", viewing.map(function (o) { return o.name; }).join("、"));
          }
          warning.textContent = text;
          warning.hidden = text === "";
          warning.className = writing.length ? "alert" : "notice";
        })
        .catch(function () {});
    };
    beat();
    setInterval(beat, 8000);
    if (box) box.addEventListener("input", function () {
      if (!box.dataset.announced && box.value.trim() !== "") {
        box.dataset.announced = "1";
        beat();
      }
    });
  }

  // 短信条数: when the next public reply goes by text, the messages it takes as one types,
  // counted as kefu_domain::channel::sms::segments counts them (the signature included):
  // GSM-7 160, then 153 a part (^{}\[~]|€ take two); anything else (any Chinese) UCS-2 in
  // UTF-16 units, 70, then 67 a part. An internal note shows no count.
  var smsCounter = document.querySelector("[data-sms-counter]");
  if (smsCounter && replyBox) {
    var gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    var gsmExtension = "\f^{}\\[~]|€";
    var smsSegments = function (text) {
      var septets = 0;
      var gsm = true;
      for (var i = 0; i < text.length && gsm; i++) {
        var c = text.charAt(i);
        if (gsmBasic.indexOf(c) >= 0) septets += 1;
        else if (gsmExtension.indexOf(c) >= 0) septets += 2;
        else gsm = false;
      }
      var units = gsm ? septets : text.length;
      var single = gsm ? 160 : 70;
      var part = gsm ? 153 : 67;
      if (units === 0) return 0;
      return units <= single ? 1 : Math.ceil(units / part);
    };
    var sign = smsCounter.getAttribute("data-sms-sign") || "";
    var format = smsCounter.getAttribute("data-format") || "{chars} · {n}";
    var showCount = function () {
      var internal = replyForm.querySelector('input[name="visibility"][value="internal"]');
      var text = replyBox.value.replace(/\r\n/g, "\n").trim();
      if ((internal && internal.checked) || text === "") {
        smsCounter.hidden = true;
        return;
      }
      var n = smsSegments(sign + text);
      smsCounter.textContent = format.replace("{chars}", String(text.length)).replace("{n}", String(n));
      smsCounter.hidden = false;
    };
    replyBox.addEventListener("input", showCount);
    replyForm.addEventListener("change", showCount);
    showCount();
  }
})();
