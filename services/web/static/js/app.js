/* lapor portal: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // one click, one post: a double tap does not send twice (the idempotency key is the backstop)
  document.addEventListener("submit", function (ev) {
    var button = ev.submitter;
    if (ev.defaultPrevented || !button || !button.hasAttribute("data-once")) return;
    setTimeout(function () { button.disabled = true; }, 0);
  });
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-once]");
    if (button && button.dataset.clicked) { ev.preventDefault(); }
    if (button) { button.dataset.clicked = "1"; }
  }, true);

  // focus the error summary (or the banner) so keyboard and screen-reader users hear it first
  var summary = document.getElementById("error-summary") || document.getElementById("banner");
  if (summary) summary.focus();

  // copy buttons on the receipt
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.querySelector(button.dataset.copy).textContent.trim();
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { button.textContent = button.dataset.copied; });
    });
  });

  // inline validation on leaving a field, with the server's own words
  document.querySelectorAll("[data-message]").forEach(function (input) {
    input.addEventListener("blur", function (ev) {
      // leaving the field for the send button: the page that answers shows every fault, and a
      // message inserted now would move the button away from under the finger
      if (ev.relatedTarget && ev.relatedTarget.type === "submit") return;
      var bad = input.value !== "" && !input.checkValidity();
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      input.setCustomValidity("");
      var id = input.id + "-live";
      var note = document.getElementById(id);
      if (bad && !note) {
        note = document.createElement("p");
        note.id = id; note.className = "field-error"; note.textContent = input.dataset.message;
        input.parentNode.insertBefore(note, input);
        input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + id).trim());
      } else if (!bad && note) { note.remove(); }
    });
  });

  // optional position pin
  var locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      var status = document.querySelector("[data-locate-status]");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var form = locate.form;
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        status.textContent = locate.dataset.done;
      }, function () { status.textContent = locate.dataset.failed; }, { timeout: 15000 });
    });
  }

  // --- the app channel: drafts kept on the phone while offline, sent once when back online ---
  var KEY = "lapor.drafts.v1";
  var form = document.querySelector("[data-draft-form]");
  function load() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(drafts) { localStorage.setItem(KEY, JSON.stringify(drafts)); }
  var words = document.getElementById("draft-words");

  function show() {
    var box = document.getElementById("drafts");
    if (!box || !words) return;
    var drafts = load();
    var list = document.getElementById("draft-list");
    list.textContent = "";
    drafts.forEach(function (d) {
      var li = document.createElement("li");
      li.dataset.state = d.state;
      var title = document.createElement("strong");
      title.textContent = d.fields.title || words.dataset.untitled;
      li.appendChild(title);
      li.appendChild(document.createTextNode(" — "));
      if (d.state === "sent") {
        li.appendChild(document.createTextNode(words.dataset.sent + " "));
        var a = document.createElement("a");
        a.href = d.receipt; a.textContent = d.trackingId; a.className = "mono";
        li.appendChild(a);
      } else if (d.state === "invalid") {
        var open = document.createElement("button");
        open.type = "button"; open.className = "button secondary small"; open.textContent = words.dataset.invalid;
        open.addEventListener("click", function () { restore(d); });
        li.appendChild(open);
      } else {
        li.appendChild(document.createTextNode(d.state === "sending" ? words.dataset.sending : words.dataset.waiting));
      }
      list.appendChild(li);
    });
    box.hidden = drafts.length === 0;
  }

  function restore(d) {
    Object.keys(d.fields).forEach(function (name) {
      var el = form && form.elements[name];
      if (!el || name === "csrf") return;
      if (el.type === "checkbox") el.checked = d.fields[name] === "1"; else if (el.length === undefined || el.tagName === "SELECT") el.value = d.fields[name];
    });
    save(load().filter(function (x) { return x.id !== d.id; }));
    show();
  }

  var sending = false;
  function sendAll() {
    if (sending || !navigator.onLine) return;
    var next = load().find(function (d) { return d.state === "waiting"; });
    if (!next) return;
    sending = true;
    var body = new URLSearchParams();
    Object.keys(next.fields).forEach(function (k) { body.append(k, next.fields[k]); });
    body.set("action", "submit");
    fetch("/lapor", { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (res) {
        var drafts = load();
        drafts.forEach(function (d) {
          if (d.id !== next.id) return;
          if (res.status === 201) { d.state = "sent"; d.trackingId = res.body.tracking_id; d.receipt = res.body.receipt; delete d.fields; d.fields = { title: next.fields.title }; }
          else if (res.status === 422 || res.status === 409) { d.state = "invalid"; }
        });
        save(drafts);
      })
      .catch(function () { /* still offline: stays waiting */ })
      .then(function () { sending = false; show(); if (navigator.onLine) setTimeout(sendAll, 0); });
  }

  if (form) {
    form.addEventListener("submit", function (ev) {
      if (navigator.onLine) return;  // online: an ordinary post
      ev.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
      // each draft its own key: two drafts from one page are two reports, one draft sent twice is one
      fields.idem = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/-/g, "");
      var drafts = load();
      drafts.push({ id: fields.idem, state: "waiting", savedAt: Date.now(), fields: fields });
      save(drafts);
      form.reset();
      form.querySelectorAll("[data-once]").forEach(function (b) { b.disabled = false; delete b.dataset.clicked; });
      show();
      document.getElementById("drafts").scrollIntoView();
    });
    window.addEventListener("online", sendAll);
    show();
    sendAll();
  }

  // staff shortcuts: j/k move between cases, / searches; never while typing in a field
  var caseLinks = Array.prototype.slice.call(document.querySelectorAll("[data-case-link]"));
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
    if (ev.key === "/" ) {
      var search = document.querySelector("[data-search]");
      if (search) {
        ev.preventDefault();
        var box = search.closest("details");
        if (box) box.open = true;   // the filters fold away on a phone
        search.focus();
      }
      return;
    }
    if ((ev.key === "j" || ev.key === "k") && caseLinks.length) {
      var at = caseLinks.indexOf(document.activeElement);
      var next = ev.key === "j" ? Math.min(at + 1, caseLinks.length - 1) : Math.max(at - 1, 0);
      caseLinks[at < 0 ? 0 : next].focus();
      ev.preventDefault();
    }
    if (ev.key === "r") {
      var answer = document.querySelector("[data-focus-key=r]");
      if (answer) { ev.preventDefault(); var d = answer.closest("details"); if (d) d.open = true; answer.focus(); }
    }
  });

  // the wallboard: one event stream; each message is the board's HTML, drawn by the portal.
  // The browser's EventSource reconnects by itself; while it is away the board says how old
  // its figures are. Each message replaces the board, so nothing piles up over a day.
  var board = document.getElementById("board");
  if (board && board.dataset.boardStream && window.EventSource) {
    var link = document.getElementById("board-link");
    var stream = new EventSource(board.dataset.boardStream);
    var showLost = function (lost) {
      if (!link) return;
      if (lost) {
        var current = board.querySelector("[data-as-of]");
        link.querySelector("[data-link-time]").textContent = current ? current.dataset.asOf : "–";
      }
      link.hidden = !lost;
    };
    var updates = 0;
    stream.addEventListener("board", function (ev) {
      board.innerHTML = ev.data;
      board.dataset.updates = String(++updates);   // how many the page has shown (tests, support)
      showLost(false);
    });
    stream.addEventListener("signin", function (ev) { board.innerHTML = ev.data; stream.close(); });
    stream.addEventListener("error", function () {
      showLost(true);
      // refused for good (signed out by a portal restart, say): the page itself reloads, which
      // goes through sign-in, silent while the provider's session lasts
      if (stream.readyState === EventSource.CLOSED) setTimeout(function () { location.reload(); }, 15000);
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
