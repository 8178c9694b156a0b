// kefu 客服 — the little script the staff pages use: live queue and ticket updates over
// server-sent events, and the warning when another agent is answering the same ticket.
// Every page works without it; it only keeps what is on screen current.
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
  // Pickers that suggest as one types: customers (linking a ticket, or a complaint being
  // registered) and reply scripts.
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    var list = input.parentNode.querySelector("ul.suggest");
    var timer = null;
    var asked = "";
    // A picker with data-target fills a hidden field of its form with the chosen id; typing
    // again unlinks until another is chosen.
    var target = input.dataset.target
      ? input.form.querySelector('input[name="' + input.dataset.target + '"]')
      : null;
    function choose(item) {
      if (target) {
        target.value = String(item.id);
        input.value = item.title;
        input.setAttribute("data-linked", String(item.id));
        list.hidden = true;
      } else if (input.dataset.form) {
        var form = document.getElementById(input.dataset.form);
        form.querySelector('input[name="customer"]').value = item.id;
        form.submit();
      } else if (input.dataset.select) {
        var select = input.form.querySelector('select[name="' + input.dataset.select + '"]');
        select.value = String(item.id);
        input.value = item.title;
        list.hidden = true;
      }
    }
    function show(items) {
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = item.title + (item.subtitle ? " · " + item.subtitle : "");
        b.addEventListener("click", function () { choose(item); });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }
    input.addEventListener("input", function () {
      if (target) {
        target.value = "";
        input.removeAttribute("data-linked");
      }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (!q) { show([]); return; }
        asked = q;
        fetch("/search/suggest?kind=" + input.dataset.suggest + "&q=" + encodeURIComponent(q),
              { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { if (asked === q) show(items); })
          .catch(function () { show([]); });
      }, 150);
    });
  });
  var me = meta("kefu-user");
  var csrf = meta("kefu-csrf");

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
    if (window.EventSource) {
      new EventSource("/events/workbench").addEventListener("change", soon);
    }
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
        queue.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { show("live-stale"); })
      .finally(function () { refreshing = false; });
  }

  if (window.EventSource) {
    var events = new EventSource("/events/tickets");
    events.addEventListener("ticket", function (e) {
      var change;
      try { change = JSON.parse(e.data); } catch (_) { return; }
      if (queue) refreshQueue();
      if (ticket && (change.ticket === 0 || String(change.ticket) === ticket.getAttribute("data-live-ticket"))
          && String(change.by) !== me) {
        show("live-changed");
      }
    });
  }

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
})();
