/* Kartlegging: progressive enhancement only. Every form also works as a plain POST.
   - autosave: at most ~300 ms after any change, also while typing goes on (throttled), and
     when the page is hidden or left (keepalive request); status "Lagret kl. …" / "Lagrer…" /
     "Ikke lagret – prøver igjen", and which answers are still waiting
   - edits the server has not acknowledged are kept in localStorage, encrypted (AES-GCM) with
     a per-user key the server hands out only after login and replaces at logout; a killed
     tab's answers come back after the next login
   - offline: answers stay in the page (and encrypted on the device), saved when the network returns
   - expired session: the page is blanked, a login dialog opens, then the same answers are saved
   - conflicts: never overwritten silently; the user chooses
   - conditional items and the IP prompt update live; answers of items that get hidden are
     set aside (with undo) and come back when the item shows again
   - idle warning before the automatic log-out */
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  function csrf() { return csrfMeta ? csrfMeta.content : ""; }
  function setCsrf(token) {
    if (csrfMeta) csrfMeta.content = token;
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = token; });
  }
  function postJSON(url, body) {
    var text = JSON.stringify(body);
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      // keepalive: the request is finished even if the tab is closed meanwhile (max 64 kB)
      keepalive: text.length < 60000,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf()},
      body: text
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function clock(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function same(a, b) { return JSON.stringify(a === undefined ? "" : a) === JSON.stringify(b === undefined ? "" : b); }

  /* ---------- encrypted copy of unsaved answers (WebCrypto AES-GCM) ---------- */
  var PREFIX = "kl.ulagret.";
  function b64(bytes) {
    var s = ""; new Uint8Array(bytes).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s);
  }
  function unb64(text) {
    var s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  var vault = {
    user: document.body.dataset.user || "",
    keyUrl: document.body.dataset.keyUrl || "",
    keyP: null,
    chain: Promise.resolve(),
    usable: function () {
      try { return !!(this.user && this.keyUrl && window.crypto && crypto.subtle && window.localStorage); }
      catch (e) { return false; }
    },
    key: function () {  // the CryptoKey (not extractable), or null
      var self = this;
      if (!this.usable()) return Promise.resolve(null);
      if (!this.keyP) {
        this.keyP = fetch(this.keyUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) {
            if (!d || String(d.user) !== self.user) return null;
            return crypto.subtle.importKey("raw", unb64(d.key), {name: "AES-GCM"}, false, ["encrypt", "decrypt"]);
          })
          .catch(function () { return null; })
          .then(function (k) { if (!k) self.keyP = null; return k; });  // try again next time
      }
      return this.keyP;
    },
    name: function (aid, section) { return PREFIX + this.user + "." + aid + "." + section; },
    names: function () {
      var out = [], mine = PREFIX + this.user + ".";
      if (!this.usable()) return out;
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(mine) === 0) out.push(k);
      }
      return out;
    },
    queue: function (job) {  // one after the other, so a later remove never loses to an earlier put
      var p = this.chain.then(job, job);
      this.chain = p.catch(function () {});
      return p;
    },
    put: function (name, data) {
      var self = this;
      return this.queue(function () {
        return self.key().then(function (key) {
          if (!key) return false;
          var iv = crypto.getRandomValues(new Uint8Array(12));
          var plain = new TextEncoder().encode(JSON.stringify(data));
          return crypto.subtle.encrypt({name: "AES-GCM", iv: iv}, key, plain).then(function (ct) {
            localStorage.setItem(name, JSON.stringify({v: 1, iv: b64(iv), ct: b64(ct)}));
            return true;
          });
        });
      });
    },
    get: function (name) {  // the entry, null if none; undefined if it cannot be read any more
      var self = this;
      return this.queue(function () {
        var raw = localStorage.getItem(name);
        if (!raw) return null;
        return self.key().then(function (key) {
          if (!key) return null;
          var box = JSON.parse(raw);
          return crypto.subtle.decrypt({name: "AES-GCM", iv: unb64(box.iv)}, key, unb64(box.ct))
            .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); },
                  function () { return undefined; });
        });
      });
    },
    remove: function (name) {
      return this.queue(function () { localStorage.removeItem(name); });
    },
    clear: function () {
      var self = this;
      return this.queue(function () { self.names().forEach(function (k) { localStorage.removeItem(k); }); });
    }
  };

  /* ---------- conditions (same data language as the server; server re-checks) ---------- */
  function answered(v) { return !(v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)); }
  function holds(cond, answers, visible) {
    if (cond.all) return cond.all.every(function (c) { return holds(c, answers, visible); });
    if (cond.any) return cond.any.some(function (c) { return holds(c, answers, visible); });
    if (cond.not) return !holds(cond.not, answers, visible);
    if (cond.always) return true;
    if (!cond.q) return true;  // counters/derived: left to the server
    var v = visible(cond.q) ? answers[cond.q] : undefined;
    if ("answered" in cond) return answered(v) === cond.answered;
    if (!answered(v)) return "ne" in cond;
    if ("eq" in cond) return String(v) === String(cond.eq);
    if ("ne" in cond) return String(v) !== String(cond.ne);
    if ("in" in cond) return cond.in.map(String).indexOf(String(v)) >= 0;
    if ("contains" in cond) return Array.isArray(v) && v.indexOf(cond.contains) >= 0;
    var n = Number(v);
    if ("gt" in cond) return n > cond.gt;
    if ("gte" in cond) return n >= cond.gte;
    if ("lt" in cond) return n < cond.lt;
    if ("lte" in cond) return n <= cond.lte;
    return true;
  }

  /* ---------- section form ---------- */
  function SectionForm(form) {
    this.form = form;
    this.url = form.dataset.autosave;
    this.section = form.dataset.section;
    this.aid = form.dataset.assessment;
    this.store = vault.name(this.aid, this.section);
    this.panel = form.closest(".panel") || document;
    this.status = this.find("save-status");
    this.version = form.querySelector('input[name="version"]');
    this.dirty = false; this.saving = false; this.timer = null; this.retry = 0;
    this.delay = 300;  // ms: a change is on its way to the server within this time, typing or not
    this.blocked = false;  // conflict or expired session: wait for the user
    this.acked = this.answers();  // what the server has (at this.version)
    this.last = this.acked;       // the form as it was before the latest change
    // For the copy on the device: per field, the values sent since the last acknowledged
    // save (a reply can be lost while the save itself landed) and when it was last changed.
    this.sentSince = {}; this.changedAt = {};
    // Copied answers the user has not decided on yet (both changed), and those being asked
    // about right now: they stay in the copy until the user chooses.
    this.unresolved = {}; this.awaiting = null;
    var note = this.find("aside-note");
    this.noteHome = note ? [note.parentNode, note.nextSibling] : null;
    var self = this;
    form.addEventListener("input", function (e) { self.changed(e.target); });
    form.addEventListener("change", function (e) { self.changed(e.target); });
    window.addEventListener("online", function () { if (self.dirty) { self.save(); } });
    // The tab is hidden (another app, screen off) or left: send what is waiting now.
    function flush() { if (self.dirty && !self.blocked && !self.submitting) self.save(); }
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
    window.addEventListener("pagehide", flush);
    window.addEventListener("beforeunload", function (e) {
      if (self.dirty && !self.submitting) { e.preventDefault(); e.returnValue = ""; }
    });
    form.addEventListener("submit", function (e) {
      clearTimeout(self.timer); self.timer = null;
      if (idle.ended) { e.preventDefault(); return; }  // the log-in dialog is open
      if (navigator.onLine === false) {  // a plain POST now would land on the browser's error page
        e.preventDefault();
        self.dirty = true;
        var step = e.submitter && e.submitter.name === "neste" ? 1 : e.submitter && e.submitter.name === "forrige" ? -1 : 0;
        if (step && offline.go(offline.neighbour(self.section, step))) return;
        self.say("Uten nett – svarene er tatt vare på og lagres når nettet er tilbake", "bad");
        self.showPending(true);
        return;
      }
      if (self.inflight) {  // an autosave is on its way: wait for the version it brings back
        e.preventDefault();
        var submitter = e.submitter;
        self.inflight.then(function () {
          if (self.blocked) return;  // expired session or conflict: the dialog/banner decides
          if (form.requestSubmit) { if (submitter) form.requestSubmit(submitter); else form.requestSubmit(); return; }
          if (submitter && submitter.name) form.appendChild(el("input", {type: "hidden", name: submitter.name, value: submitter.value}));
          self.submitting = true; markSubmitted(self); form.submit();
        });
        return;
      }
      self.submitting = true;
      markSubmitted(self);
    });
    offline.add(this);
    this.applyConditions();
    vault.key();  // fetched now, while the session is surely alive
    this.restore();
  }
  SectionForm.prototype.find = function (id) {
    return this.panel.querySelector("#" + id) || document.getElementById(id);
  };
  SectionForm.prototype.answers = function () {
    var out = {};
    Array.prototype.forEach.call(this.form.elements, function (i) {
      if (!i.name || i.name === "csrf_token" || i.name === "version" || i.type === "submit") return;
      if (i.type === "checkbox") {
        if (!(i.name in out)) out[i.name] = [];
        if (i.checked) out[i.name].push(i.value);
      } else if (i.type === "radio") {
        if (!(i.name in out)) out[i.name] = "";
        if (i.checked) out[i.name] = i.value;
      } else {
        out[i.name] = i.value;
      }
    });
    return out;
  };
  SectionForm.prototype.setValue = function (name, value) {
    var inputs = this.form.querySelectorAll('[name="' + name + '"]');
    inputs.forEach(function (i) {
      if (i.type === "checkbox") i.checked = Array.isArray(value) && value.map(String).indexOf(i.value) >= 0;
      else if (i.type === "radio") i.checked = String(value) === i.value;
      else i.value = value === null || value === undefined ? "" : String(value);
    });
    var details = inputs.length && inputs[0].closest("details");
    if (details && answered(value)) details.open = true;
  };
  // Answers the server has not acknowledged: {name: value}.
  SectionForm.prototype.pendingChanges = function () {
    var now = this.answers(), acked = this.acked, out = {};
    Object.keys(now).forEach(function (k) { if (!same(now[k], acked[k])) out[k] = now[k]; });
    return out;
  };
  SectionForm.prototype.labelOf = function (name) {
    var input = this.form.querySelector('[name="' + name + '"]');
    var block = input && input.closest(".item");
    if (!block) return name;
    var head = block.querySelector("legend, label");
    var text = head ? head.textContent.replace(/\(velg alle som passer\)/, "").trim() : name;
    return name.slice(-10) === "_kommentar" ? "Kommentar til «" + text + "»" : text;
  };
  /* The encrypted copy on the device: exactly the answers still waiting for the server, each
     with what it was typed over (the server's value at `base_version`) and the values sent
     since, so that after a crash the server can tell whether it has moved on (a copy on disk
     can be older than what the server acknowledged). Rewritten after every acknowledged save,
     so an acknowledged answer never stays in it. */
  SectionForm.prototype.copyFields = function () {
    var self = this, pending = this.pendingChanges(), out = {}, version = Number(this.version.value);
    Object.keys(pending).forEach(function (k) {
      out[k] = {value: pending[k], base_version: version,
                base_value: self.acked[k] === undefined ? "" : self.acked[k],
                sent: (self.sentSince[k] || []).slice(-5), at: self.changedAt[k] || Date.now()};
    });
    var waiting = this.awaiting ? this.awaiting.fields : {};
    Object.keys(waiting).forEach(function (k) { if (!(k in out)) out[k] = waiting[k]; });
    return out;
  };
  SectionForm.prototype.keep = function () {
    var fields = this.copyFields(), conflicts = {}, self = this;
    [this.awaiting ? this.awaiting.conflicts : {}, this.unresolved].forEach(function (m) {
      Object.keys(m).forEach(function (k) { conflicts[k] = m[k]; });
    });
    if (!Object.keys(fields).length && !Object.keys(conflicts).length) return vault.remove(this.store);
    var at = 0;
    Object.keys(fields).forEach(function (k) { at = Math.max(at, fields[k].at); });
    Object.keys(conflicts).forEach(function (k) { at = Math.max(at, conflicts[k].at || 0); });
    return vault.put(self.store, {v: 2, fields: fields, conflicts: conflicts, at: at || Date.now(),
                                  url: window.location.pathname, title: this.form.dataset.title});
  };
  SectionForm.prototype.showPending = function (always) {
    var note = this.find("pending-note");
    if (!note) return;
    var labels = [];
    offline.forms().forEach(function (f) {
      Object.keys(f.pendingChanges()).forEach(function (n) { labels.push(f.labelOf(n)); });
    });
    var names = labels;
    if (names.length === 0 || !(always || this.blocked || this.retry > 0 || navigator.onLine === false)) { note.hidden = true; return; }
    note.textContent = (names.length === 1 ? "1 svar venter på lagring: " : names.length + " svar venter på lagring: ") +
      labels.slice(0, 4).join("; ") + (labels.length > 4 ? " …" : "") +
      ". De er kryptert på nettbrettet til de er lagret.";
    note.hidden = false;
  };
  /* Answers typed before the tab was lost (kept encrypted). The server decides per field
     (restore endpoint): "apply" where it has not changed the field since the copy was made,
     "already" where it holds the same, "conflict" where both changed. Applied answers are
     saved by the ordinary autosave; conflicts are shown side by side, nothing is saved until
     the user chooses, and the copy keeps them meanwhile (a second crash asks again). */
  SectionForm.prototype.restore = function () {
    var self = this;
    if (!vault.names().length || !this.form.dataset.restore) return;
    vault.get(this.store).then(function (entry) {
      if (entry === undefined) { vault.remove(self.store); return; }
      if (!entry) return;
      var fields = {}, conflicts = entry.conflicts || {}, now = self.answers();
      Object.keys(entry.fields || {}).forEach(function (k) { fields[k] = entry.fields[k]; });
      // A copy written before the base values were kept: only its version is known.
      Object.keys(entry.changes || {}).forEach(function (k) {
        fields[k] = {value: entry.changes[k], base_version: entry.version, at: entry.at};
      });
      [fields, conflicts].forEach(function (m) {
        Object.keys(m).forEach(function (k) { if (!(k in now)) delete m[k]; });
      });
      if (!Object.keys(fields).length && !Object.keys(conflicts).length) { vault.remove(self.store); return; }
      self.awaiting = {fields: fields, conflicts: conflicts};
      function ask(m) {
        if (!Object.keys(m).length) return Promise.resolve({fields: {}});
        return postJSON(self.form.dataset.restore, {section: self.section, fields: JSON.stringify(m)})
          .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
      }
      Promise.all([ask(fields), ask(conflicts)]).then(function (replies) {
        var applied = 0, asked = [];
        [[fields, replies[0]], [conflicts, replies[1]]].forEach(function (pair) {
          Object.keys(pair[0]).forEach(function (k) {
            var edit = pair[0][k], answer = (pair[1].fields || {})[k];
            if (!answer || answer.outcome === "already") return;
            if (answer.outcome === "apply") { self.setValue(k, edit.value); applied++; return; }
            self.unresolved[k] = edit;
            asked.push([k, edit, answer.server]);
          });
        });
        self.awaiting = null;
        var text = [];
        if (applied) {
          text.push((applied === 1 ? "1 svar" : applied + " svar") + " som ikke var lagret (skrevet kl. " +
                    clock(entry.at) + ") er hentet tilbake fra den krypterte kopien og lagres nå.");
        }
        if (asked.length) {
          text.push((asked.length === 1 ? "1 svar" : asked.length + " svar") + " i kopien på nettbrettet er eldre enn " +
                    "eller annerledes enn det som ble lagret senere. Velg ved spørsmålet hva som skal gjelde; " +
                    "ingenting er lagret før du velger.");
          asked.forEach(function (c) { self.showChoice(c[0], c[1], c[2]); });
        }
        if (text.length) self.note(text.join(" "));
        if (applied) self.changed(null); else self.keep();
      }, function () {
        // Not answered (offline, session gone): the copy stays as it is; asked again next time.
        self.awaiting = null;
        self.unresolved = {};
        Object.keys(conflicts).forEach(function (k) { self.unresolved[k] = conflicts[k]; });
        Object.keys(fields).forEach(function (k) { if (!(k in self.unresolved)) self.unresolved[k] = fields[k]; });
      });
    });
  };
  /* The text of an answer as the page shows it: option labels for choices. */
  SectionForm.prototype.shown = function (name, value) {
    var form = this.form;
    var list = Array.isArray(value) ? value : (answered(value) ? [value] : []);
    if (!list.length) return "(tomt)";
    return list.map(function (v) {
      var input = form.querySelector('[name="' + name + '"][value="' + String(v).replace(/"/g, '\\"') + '"]');
      var label = input && (input.closest("label") || form.querySelector('label[for="' + input.id + '"]'));
      return label && (input.type === "radio" || input.type === "checkbox") ? label.textContent.trim() : String(v);
    }).join(", ");
  };
  /* Both changed: the saved answer and the copy side by side, next to the question. */
  SectionForm.prototype.showChoice = function (name, edit, server) {
    var self = this;
    var input = this.form.querySelector('[name="' + name + '"]');
    var block = input && (input.closest(".item") || input.parentNode);
    if (!block) return;
    var isList = input.type === "checkbox";
    var serverValue = isList ? server : (server[0] || "");
    var id = "valg-" + name;
    var old = document.getElementById(id);
    if (old) old.remove();
    var box = el("div", {"class": "restore-choice", id: id, role: "group", "aria-labelledby": id + "-h"});
    box.appendChild(el("h2", {id: id + "-h"}, "To versjoner av «" + this.labelOf(name) + "»"));
    box.appendChild(el("p", {}, "Svaret ble lagret på nytt etter at kopien på nettbrettet ble laget. " +
                                 "Velg hvilken tekst som skal gjelde. Ingenting er lagret før du velger."));
    var sides = el("div", {"class": "sides"});
    var mine = el("div", {"class": "side"});
    mine.appendChild(el("h3", {}, "Lagret"));
    mine.appendChild(el("p", {"class": "side-text", dir: "auto"}, this.shown(name, serverValue)));
    var copy = el("div", {"class": "side"});
    copy.appendChild(el("h3", {}, "Kopien på nettbrettet" + (edit.at ? " (skrevet kl. " + clock(edit.at) + ")" : "")));
    copy.appendChild(el("p", {"class": "side-text", dir: "auto"}, this.shown(name, edit.value)));
    sides.appendChild(mine); sides.appendChild(copy);
    box.appendChild(sides);
    var keepServer = el("button", {type: "button", "class": "btn btn-primary"}, "Behold det lagrede");
    var useCopy = el("button", {type: "button", "class": "btn"}, "Bruk kopien fra nettbrettet");
    keepServer.addEventListener("click", function () {
      delete self.unresolved[name];
      box.remove();
      self.keep();
      self.say("Det lagrede svaret er beholdt", "ok");
    });
    useCopy.addEventListener("click", function () {
      delete self.unresolved[name];
      box.remove();
      self.setValue(name, edit.value);
      self.changed(null);
    });
    var actions = el("div", {"class": "choice-actions"});
    actions.appendChild(keepServer); actions.appendChild(useCopy);
    box.appendChild(actions);
    block.parentNode.insertBefore(box, block);
  };
  // A notice about the whole section, at its top (where the page put it).
  SectionForm.prototype.note = function (text, undo) {
    var box = this.find("aside-note");
    if (!box) return;
    if (this.noteHome && box.parentNode !== this.noteHome[0]) {
      this.noteHome[0].insertBefore(box, this.noteHome[1]);
      box.classList.remove("aside-here");
    }
    clearTimeout(this.noteTimer);
    this.fill(box, text, undo);
  };
  /* A notice about an answer (answers set aside by it) stands right under its question, where
     the finger is, with its undo: the page's notice (a polite live region, so screen readers
     hear it) moves there. Its text is set after the move, or it would not be announced. */
  SectionForm.prototype.noteAt = function (name, text, undo) {
    var input = this.form.querySelector('[name="' + name + '"]');
    var block = input && input.closest(".item");
    var box = this.find("aside-note");
    if (!block || !box) { this.note(text, undo); return; }
    if (!box.hidden && box.parentNode === block.parentNode && box.previousSibling === block &&
        box.firstChild && box.firstChild.nodeValue === text) return;  // said there already
    var self = this;
    box.textContent = "";
    box.classList.add("aside-here");
    block.parentNode.insertBefore(box, block.nextSibling);
    box.hidden = false;
    clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(function () { self.fill(box, text, undo); }, 50);
  };
  SectionForm.prototype.fill = function (box, text, undo) {
    box.textContent = text;
    if (undo) {
      var b = el("button", {type: "button", "class": "btn btn-small"}, "Angre");
      b.addEventListener("click", function () { box.hidden = true; undo(); });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(b);
    }
    box.hidden = false;
  };
  SectionForm.prototype.applyConditions = function (source) {
    var answers = this.answers();
    var blocks = this.form.querySelectorAll(".item[data-item]");
    var state = {}, hiddenNow = [];
    blocks.forEach(function (b) { state[b.dataset.item] = !b.hidden; });
    function visible(id) { return id in state ? state[id] : true; }
    blocks.forEach(function (b) {
      if (!b.dataset.showIf) return;
      var show = holds(JSON.parse(b.dataset.showIf), answers, visible);
      if (!show && !b.hidden) hiddenNow.push(b);
      b.hidden = !show; state[b.dataset.item] = show;
    });
    // Answers in items that were just hidden are set aside, not deleted: say so, offer undo.
    var withAnswers = 0;
    hiddenNow.forEach(function (b) {
      b.querySelectorAll("input, textarea").forEach(function (i) {
        if (((i.type === "radio" || i.type === "checkbox") && i.checked) ||
            (i.type !== "radio" && i.type !== "checkbox" && i.value)) withAnswers++;
      });
    });
    if (withAnswers && source && source.name) {
      this.noteAt(source.name, (withAnswers === 1 ? "1 svar" : withAnswers + " svar") +
        " gjelder ikke ut fra svaret du ga, og er lagt til side. De kommer tilbake hvis du endrer svaret igjen, og slettes først når kartleggingen signeres.",
        this.undoFor(source.name));
    }
    this.followItems();
  };
  /* A notice that stands beside an item (the pårørende consent notice) shows with it. */
  SectionForm.prototype.followItems = function () {
    var form = this.form;
    form.querySelectorAll(".notice-block[data-follows]").forEach(function (n) {
      var b = form.querySelector('.item[data-item="' + n.dataset.follows + '"]');
      if (b) n.hidden = b.hidden;
    });
  };
  // Undo of the latest change to a field: its value before that change.
  SectionForm.prototype.undoFor = function (name) {
    var self = this, before = this.last[name];
    return function () { self.setValue(name, before); self.changed(null); };
  };
  SectionForm.prototype.say = function (text, kind) {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.className = "save-status " + (kind || "");
  };
  SectionForm.prototype.schedule = function (ms) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.timer = null; self.save(); }, ms);
  };
  SectionForm.prototype.changed = function (source) {
    this.dirty = true;
    var t = Date.now(), now = this.answers(), before = this.last, at = this.changedAt;
    Object.keys(now).forEach(function (k) { if (!same(now[k], before[k]) || !(k in at)) at[k] = t; });
    // A tap fires both "input" and "change": only a real change of value can be undone.
    if (source && source.name && !same(this.answers()[source.name], this.last[source.name])) {
      this.lastUndo = this.undoFor(source.name);
      this.lastName = source.name;
    }
    this.applyConditions(source);
    this.last = this.answers();
    this.keep();
    this.showPending();
    if (this.blocked) return;
    if (!this.saving) this.say("Ikke lagret ennå …", "pending");
    // Throttle, not debounce: the first change starts the clock and typing does not reset it.
    if (!this.timer && !this.saving) this.schedule(this.delay);
  };
  SectionForm.prototype.scheduleRetry = function () {
    this.retry = Math.min(this.retry + 1, 6);
    this.schedule(1000 * Math.pow(2, this.retry - 1));
    this.showPending();
  };
  SectionForm.prototype.save = function () {
    var self = this;
    if (this.blocked) return Promise.resolve(false);
    if (this.saving) {  // one request at a time: the next one needs the version this one brings
      return this.inflight.then(function (ok) { return ok && self.dirty ? self.save() : ok; });
    }
    var other = offline.busy(this);  // another section's form (used offline) is saving
    if (other) return other.inflight.then(function () { return self.dirty ? self.save() : true; });
    clearTimeout(this.timer); this.timer = null;
    this.saving = true;
    this.dirty = false;
    this.say("Lagrer …", "pending");
    var sent = this.answers(), acked = this.acked, since = this.sentSince;
    Object.keys(sent).forEach(function (k) {
      if (same(sent[k], acked[k])) return;
      since[k] = (since[k] || []).concat([sent[k]]).slice(-5);
    });
    var body = {version: Number(this.version.value), section: this.section, answers: sent};
    if (this.full) body.full = true;  // after a conflict: the counts of every section
    return this.inflight = postJSON(this.url, body).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return [r.status, data]; });
    }).then(function (res) {
      var code = res[0], data = res[1];
      self.saving = false; self.inflight = null;
      if (code === 200) {
        idle.touch();
        self.retry = 0; self.tokenRenewed = false;
        self.version.value = data.version;
        offline.version(data.version);
        self.full = false;
        self.acked = sent;
        self.sentSince = {};  // what the server has now is the base of every field
        self.clearErrors();
        self.say("Lagret kl. " + data.saved_at, "ok");
        self.applyServer(data, sent);
        self.keep();
        self.showPending();
        if (self.dirty || Object.keys(self.pendingChanges()).length) { self.dirty = true; self.schedule(self.delay); }
        return true;
      }
      self.dirty = true;
      if (code === 401) { self.blocked = true; self.say("Ikke lagret – logg inn igjen", "bad"); sessionEnded(); }
      else if (code === 409) { self.blocked = true; self.conflict(data); }
      else if (code === 422) { self.showErrors(data.errors || {}); self.say("Ikke lagret – rett feltene som er merket", "bad"); }
      else if (code === 403 && data.error === "handover") { blankForHandover(); }
      else if (code === 400 && data.error !== "invalid" && !self.tokenRenewed) {
        // CSRF refused: the session (and its token) is gone or new. Fetch a fresh token and try
        // once more; a lost session then answers 401 and the log-in dialog opens.
        self.tokenRenewed = true;
        renewToken().then(function () { self.save(); }, function () { self.say("Ikke lagret – prøver igjen", "bad"); self.scheduleRetry(); });
      }
      else { self.say("Ikke lagret – prøver igjen", "bad"); self.scheduleRetry(); }
      self.showPending();
      return false;
    }).catch(function () {  // offline or server unreachable: keep everything, try again
      self.saving = false; self.inflight = null; self.dirty = true;
      self.say("Ikke lagret – prøver igjen", "bad");
      self.scheduleRetry();
      return false;
    });
  };
  SectionForm.prototype.applyServer = function (data, sent) {
    var form = this.form, self = this, now = this.answers();
    // The reply's visibility is that of the answers sent. If an answer changed while it was on
    // its way, the page already shows what the newer answers call for, and the next save (already
    // scheduled, the form is dirty) brings the server's view of them.
    if (same(now, sent)) {
      Object.keys(data.visible || {}).forEach(function (id) {
        var b = form.querySelector('.item[data-item="' + id + '"]');
        if (b) b.hidden = !data.visible[id];
      });
    }
    // Answers set aside earlier that apply again: back into their (still empty) fields.
    var restored = data.restored || {};
    Object.keys(restored).forEach(function (k) {
      if (!(k in now) || answered(now[k])) return;
      self.setValue(k, restored[k]);
      self.acked[k] = self.answers()[k];
    });
    if (Object.keys(restored).length) this.last = this.answers();
    if (data.aside_message) {
      if (this.lastName) this.noteAt(this.lastName, data.aside_message, this.lastUndo);
      else this.note(data.aside_message, this.lastUndo);
    }
    this.followItems();
    Object.keys(data.derived || {}).forEach(function (id) {
      var box = document.getElementById("live-" + id);
      if (!box) return;
      var d = data.derived[id];
      box.className = "prompt prompt-" + d.outcome;
      box.querySelector(".prompt-text strong").textContent = d.text;
      var ul = box.querySelector("ul.reasons");
      ul.textContent = "";
      d.reasons.forEach(function (r) { ul.appendChild(el("li", {}, r)); });
    });
    // Contradicting answers are flagged at their item as soon as they are saved.
    var flags = data.flags || {};
    this.form.querySelectorAll("[data-flags-for]").forEach(function (box) {
      var messages = flags[box.getAttribute("data-flags-for")] || [];
      box.textContent = "";
      messages.forEach(function (m) { box.appendChild(el("p", {"class": "warning check-flag"}, m)); });
    });
    // The koordinator reminder says what is still missing, after this save.
    var notes = document.getElementById("koordinator-paaminnelser");
    if (notes && Array.isArray(data.reminders)) {
      notes.textContent = "";
      data.reminders.forEach(function (text, i) {
        var p = el("p", {"class": "notice"}, text + " ");
        if (i === 0) p.id = "koordinator-paaminnelse";
        var a = el("a", {href: notes.getAttribute("data-link")}, "Registrer koordinator");
        p.appendChild(a);
        notes.appendChild(p);
      });
    }
    updateMenu(data, this.section);
  };
  SectionForm.prototype.clearErrors = function () {
    this.form.querySelectorAll(".error.live").forEach(function (e) { e.remove(); });
  };
  SectionForm.prototype.showErrors = function (errors) {
    this.clearErrors();
    var form = this.form;
    Object.keys(errors).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) return;
      var p = el("p", {"class": "error live", id: name + "-livefeil"}, errors[name].join(" "));
      var holder = input.closest(".item") || input.parentNode;
      holder.insertBefore(p, holder.firstChild.nextSibling);
      input.setAttribute("aria-describedby", p.id);
    });
  };
  SectionForm.prototype.conflict = function (data) {
    var self = this;
    this.say("Ikke lagret – konflikt", "bad");
    var box = document.getElementById("konflikt-live");
    if (box) box.remove();
    box = el("div", {"class": "error-summary", role: "alert", id: "konflikt-live"});
    box.appendChild(el("h2", {}, "Ikke lagret: noen andre har lagret først"));
    box.appendChild(el("p", {}, data.message || "Noen har lagret endringer etter at du åpnet kartleggingen."));
    var keep = el("button", {type: "button", "class": "btn btn-primary"}, "Lagre mine svar over de andre");
    var reload = el("button", {type: "button", "class": "btn"}, "Vis de lagrede svarene (mine endringer forkastes)");
    keep.addEventListener("click", function () {
      // Someone else's save may have changed any section: this save brings all counts.
      self.version.value = data.version; self.blocked = false; self.full = true; box.remove(); self.save();
    });
    reload.addEventListener("click", function () {
      self.dirty = false;
      vault.remove(self.store).then(function () { window.location.reload(); });
    });
    box.appendChild(keep); box.appendChild(reload);
    this.form.parentNode.insertBefore(box, this.form);
    box.focus();
  };

  /* ---------- moving between sections without network ----------
     When a section opens, every section of the draft is fetched once (kept in this page's
     memory only). Without network, «Neste», «Forrige» and the section menu swap the shown
     section in the page; each section's form keeps its answers (and its encrypted copy), the
     pending count covers them all, and when the network returns they are sent one after the
     other, each with the version the one before brought back. With network, every move is
     the ordinary page load. */
  var offline = {
    list: [], panels: {}, live: {},
    add: function (sf) {
      this.list.push(sf);
      this.live[sf.section] = sf.panel;
      if (this.list.length > 1) return;
      var self = this;
      document.querySelectorAll("nav.sections a, .crumbs a").forEach(function (a) {
        a.addEventListener("click", function (e) {
          var f = window.kartleggingForm, sid = a.closest("li[data-section]");
          if (navigator.onLine === false && sid) {
            e.preventDefault();
            if (!self.go(sid.dataset.section) && f) f.say("Uten nett – denne delen er ikke hentet", "bad");
            return;
          }
          var waiting = self.list.filter(function (x) { return x.dirty; });
          if (!waiting.length) return;
          e.preventDefault();  // leaving: save first, then go
          waiting.reduce(function (p, x) { return p.then(function (ok) { return ok && x.save(); }); }, Promise.resolve(true))
            .then(function (ok) { if (ok) window.location = a.href; });
        });
      });
      var layout = document.querySelector(".layout[data-sections]");
      if (layout && window.fetch) {
        setTimeout(function () {
          fetch(layout.dataset.sections, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (d) { if (d) { self.panels = d.panels || {}; self.ready = true; } })
            .catch(function () { /* offline already: only this section */ });
        }, 200);
      }
    },
    forms: function () { return this.list.length ? this.list : []; },
    busy: function (sf) {
      return this.list.filter(function (x) { return x !== sf && x.saving && x.inflight; })[0] || null;
    },
    version: function (v) {
      this.list.forEach(function (x) { if (Number(x.version.value) < v) x.version.value = v; });
    },
    neighbour: function (sid, step) {
      var shown = Array.prototype.filter.call(document.querySelectorAll("nav.sections li[data-section]"),
                                              function (li) { return !li.hidden; })
        .map(function (li) { return li.dataset.section; });
      var i = shown.indexOf(sid);
      return i < 0 ? null : shown[i + step] || null;
    },
    go: function (sid) {
      var current = window.kartleggingForm;
      if (!sid || !current) return false;
      if (sid === current.section) return true;
      var panel = this.live[sid];
      var fresh = !panel;
      if (fresh) {
        if (!this.panels[sid]) return false;
        var box = document.createElement("div");
        box.innerHTML = this.panels[sid];
        panel = box.querySelector(".panel");
        if (!panel) return false;
      }
      current.panel.replaceWith(panel);
      var sf = null;
      if (fresh) {
        var form = panel.querySelector("#section-form");
        if (form) {
          form.querySelector('input[name="version"]').value = current.version.value;
          sf = new SectionForm(form);
          sf.delay = current.delay;
          sf.acked = sf.answers(); sf.last = sf.acked;
        }
      } else {
        sf = this.list.filter(function (x) { return x.section === sid; })[0] || null;
      }
      if (sf) {
        var v = Math.max.apply(null, this.list.map(function (x) { return Number(x.version.value); }));
        this.version(v);
        window.kartleggingForm = sf;
        sf.showPending(true);
      }
      document.querySelectorAll("nav.sections li[data-section]").forEach(function (li) {
        var here = li.dataset.section === sid, a = li.querySelector("a");
        li.classList.toggle("current", here);
        if (here) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
      });
      var where = document.querySelector("#delmeny .where"), h1 = panel.querySelector("h1");
      if (where && h1) where.textContent = ": " + h1.textContent;
      try {
        var url = window.location.pathname.replace(/\/del\/[^/]+$/, "/del/" + sid);
        window.history.replaceState(null, "", url);
      } catch (e) { /* the address stays; nothing depends on it offline */ }
      document.title = (h1 ? h1.textContent : document.title);
      if (h1) { h1.setAttribute("tabindex", "-1"); h1.focus(); }
      window.scrollTo(0, 0);
      return true;
    }
  };

  /* The section menu follows the answers: counts, required items missing, "Del x av y".
     `progress` and `missing` may name only the sections the save could change: the others
     keep their counts, and a section that does not apply stays listed only if it was (its
     count holds the self-rating). */
  function updateMenu(data, current) {
    var lis = document.querySelectorAll("nav.sections li[data-section]");
    lis.forEach(function (li) {
      var id = li.dataset.section, p = (data.progress || {})[id], m = (data.missing || {})[id];
      var counted = p ? p[1] > 0 : !li.hidden;
      if (data.sections && id !== current) li.hidden = !data.sections[id] && !counted;
      if (p) {
        var count = li.querySelector(".count");
        if (count) count.firstChild.nodeValue = p[0] + "/" + p[1];
      }
      var mark = li.querySelector(".missing-mark");
      if (mark && m !== undefined) { mark.firstChild.nodeValue = String(m); mark.hidden = !m; }
    });
    // The step is numbered over all sections and stays; only the note of how many are
    // skipped follows the answers.
    var skippedNote = document.getElementById("del-hoppet");
    if (skippedNote) {
      var skipped = Array.prototype.filter.call(lis, function (li) { return li.hidden; }).length;
      skippedNote.textContent = skipped ? " · " + skipped + (skipped === 1 ? " del gjelder" : " deler gjelder") + " ikke ut fra svarene og hoppes over" : "";
    }
  }

  /* A plain POST of the section form (Lagre/Neste) is on its way: once a page of the same
     assessment shows a newer version, the encrypted copy of that section is not needed. */
  function markSubmitted(sf) {
    try {
      sessionStorage.setItem("kl.sendt", JSON.stringify({store: sf.store, aid: sf.aid, version: Number(sf.version.value)}));
    } catch (e) { /* private mode: the copy is then cleared by the next autosave */ }
  }
  function settleSubmitted() {
    var layout = document.querySelector(".layout[data-assessment]");
    var raw = null;
    try { raw = sessionStorage.getItem("kl.sendt"); } catch (e) { return; }
    if (!raw || !layout) return;
    var m = JSON.parse(raw);
    if (String(m.aid) === layout.dataset.assessment && Number(layout.dataset.version) > m.version) {
      vault.remove(m.store);
      sessionStorage.removeItem("kl.sendt");
    }
  }

  /* Answers from a lost tab that belong to other pages: say where they are. */
  function announceUnsaved(form) {
    var here = form ? form.store : null;
    var names = vault.names().filter(function (n) { return n !== here; });
    if (!names.length) return;
    Promise.all(names.map(function (n) { return vault.get(n).then(function (e) { return [n, e]; }); }))
      .then(function (found) {
        var list = el("ul", {});
        found.forEach(function (pair) {
          var entry = pair[1];
          if (entry === undefined) { vault.remove(pair[0]); return; }  // old key: never readable again
          if (!entry || !entry.url) return;
          var li = el("li", {});
          li.appendChild(el("a", {href: entry.url}, (entry.title || "Kartlegging") + ", skrevet kl. " + clock(entry.at)));
          list.appendChild(li);
        });
        if (!list.children.length) return;
        var box = el("div", {"class": "warning", role: "status", id: "ulagret"});
        box.appendChild(el("p", {}, "Noen svar ble ikke lagret før siden ble lukket. De er tatt vare på (kryptert på dette nettbrettet). Åpne delen for å lagre dem:"));
        box.appendChild(list);
        var main = document.getElementById("innhold");
        if (main) main.insertBefore(box, main.firstChild);
      });
  }

  /* A fresh CSRF token. The first request after the idle time ends the session on the server
     and is answered 401 without one; the next (the session is now anonymous) gets it. */
  function renewToken() {
    var loginUrl = document.body.dataset.loginUrl || "/logg-inn";
    function ask() {
      return fetch(loginUrl + "/token", {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json().catch(function () { return {}; }); });
    }
    return ask().then(function (t) { return t.csrf_token ? t : ask(); }).then(function (t) {
      if (!t.csrf_token) throw new Error("no token");
      setCsrf(t.csrf_token);
      return t.csrf_token;
    });
  }
  /* Keystrokes: the log-in dialog must not take focus while someone is typing an answer. */
  var lastKey = 0;
  document.addEventListener("keydown", function () { lastKey = Date.now(); }, true);

  /* ---------- the session ended: blank the page, log in over it, keep what was typed ---------- */
  function sessionEnded() {
    idle.ended = true;
    idle.stop();
    document.body.classList.add("session-ended");
    var main = document.getElementById("innhold");
    if (main) main.hidden = true;  // no name or answer stays on the screen
    var f = window.kartleggingForm;
    if (f) { f.blocked = true; clearTimeout(f.timer); f.timer = null; }
    reLogin(f || null);
  }

  function reLogin(sectionForm) {
    if (document.getElementById("relogin")) return;
    var username = document.body.dataset.username || "";
    var dlg = el("div", {id: "relogin", "class": "relogin", role: "dialog", "aria-modal": "true",
                         "aria-labelledby": "relogin-h", "aria-describedby": "relogin-intro"});
    var heading = el("h2", {id: "relogin-h", tabindex: "-1"}, "Økten er utløpt – logg inn igjen");
    dlg.appendChild(heading);
    var pending = sectionForm ? Object.keys(sectionForm.pendingChanges()).length : 0;
    dlg.appendChild(el("p", {id: "relogin-intro"}, "Siden er skjult så ingen andre ser opplysningene. " + (pending
      ? "Svarene du har skrevet er tatt vare på og lagres når du har logget inn."
      : "Logg inn for å fortsette der du var.")));
    var f = el("form", {novalidate: "novalidate"});
    f.appendChild(el("label", {"for": "relogin-user"}, "Brukernavn"));
    // The user name is the one of this page's session: filled in and read-only, so nothing
    // typed in a hurry can land in it.
    var u = el("input", {id: "relogin-user", type: "text", autocomplete: "username"});
    if (username) { u.value = username; u.readOnly = true; }
    f.appendChild(u);
    f.appendChild(el("label", {"for": "relogin-pass"}, "Passord"));
    var p = el("input", {id: "relogin-pass", type: "password", autocomplete: "current-password"}); f.appendChild(p);
    // Second factor, shown only when the server asks for it (users with two-factor).
    var codeBox = el("div", {hidden: "hidden"});
    codeBox.appendChild(el("label", {"for": "relogin-code"}, "Engangskode fra appen"));
    var c = el("input", {id: "relogin-code", type: "text", inputmode: "numeric", autocomplete: "one-time-code"});
    codeBox.appendChild(c); f.appendChild(codeBox);
    var msg = el("p", {"class": "error", role: "alert", id: "relogin-msg"}); f.appendChild(msg);
    var hint = el("p", {"class": "help", id: "relogin-hint", hidden: "hidden"}, "Trykk i passordfeltet for å logge inn.");
    f.appendChild(hint);
    f.appendChild(el("button", {type: "submit", "class": "btn btn-primary"}, sectionForm ? "Logg inn og lagre" : "Logg inn"));
    dlg.appendChild(f);
    // A fresh token comes with the dialog: the page's token belonged to the ended session.
    var token = renewToken().catch(function () { return null; });
    var typing = Date.now() - lastKey < 1500;
    document.body.appendChild(dlg);
    if (typing) {
      // Keys still on their way belong to the answer, not to the password: the dialog takes
      // focus itself (nothing there takes text), and the person taps the password field.
      heading.focus();
      hint.hidden = false;
    } else {
      (u.readOnly ? p : u).focus();
    }
    dlg.addEventListener("keydown", function (e) {  // aria-modal: keep Tab inside the dialog
      if (e.key !== "Tab") return;
      var items = Array.prototype.filter.call(dlg.querySelectorAll("input, button"),
                                              function (x) { return !x.closest("[hidden]"); });
      var first = items[0], last = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === heading)) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    });
    var loginUrl = document.body.dataset.loginUrl || "/logg-inn";
    function send(retried) {
      var creds = {username: u.value, password: p.value};
      if (!codeBox.hidden) creds.code = c.value;
      return token.then(function (t) { return t || renewToken(); }).then(function () {
        return postJSON(loginUrl, creds);
      }).then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { return [r.status, d]; }); })
        .then(function (res) {
          // A refused token (400, not a form problem), or a request that only ended the old
          // session on the server (401 session_expired): a new token, and once more.
          if (!retried && ((res[0] === 400 && res[1].error !== "invalid") ||
                           (res[0] === 401 && res[1].error === "session_expired"))) {
            token = renewToken();
            return send(true);
          }
          return res;
        });
    }
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      hint.hidden = true;
      send(false).then(function (res) {
          if (res[0] !== 200) {
            if (res[1].error === "totp") { codeBox.hidden = false; c.focus(); }
            msg.textContent = res[1].message || "Innloggingen mislyktes.";
            return;
          }
          setCsrf(res[1].csrf_token);
          if (String(res[1].user) !== vault.user) {  // someone else: nothing of this page for them
            window.location.reload();
            return;
          }
          dlg.remove();
          document.body.classList.remove("session-ended");
          var main = document.getElementById("innhold");
          if (main) main.hidden = false;
          idle.ended = false;
          idle.touch();
          if (sectionForm) { sectionForm.blocked = false; sectionForm.save(); }
        })
        .catch(function () { msg.textContent = "Får ikke kontakt med serveren. Prøv igjen."; });
    });
  }

  /* ---------- idle warning and the end of the session ---------- */
  var idle = {touch: function () {}, stop: function () {}, ended: false};
  function setupIdle() {
    var ms = Number(document.body.dataset.idleMs || 0);
    var box = document.getElementById("idle-warning");
    if (!ms || !box) return;
    var state = document.getElementById("idle-state");
    var warnAt = Math.max(ms - 120000, ms * 0.8), t1 = null, t2 = null;
    function warn() {
      if (idle.ended || document.getElementById("relogin")) return;
      var f = window.kartleggingForm, n = f ? Object.keys(f.pendingChanges()).length : 0;
      state.textContent = n ? (n === 1 ? "1 svar" : n + " svar") + " er ikke lagret ennå – trykk «Fortsett å jobbe» for å lagre."
                            : "Svarene dine er lagret.";
      box.hidden = false;
    }
    // The server's idle clock restarts with every request it answers; so does this one.
    idle.touch = function () {
      if (idle.ended) return;
      box.hidden = true; clearTimeout(t1); clearTimeout(t2);
      t1 = setTimeout(warn, warnAt);
      t2 = setTimeout(sessionEnded, ms + 1000);
    };
    idle.stop = function () { box.hidden = true; clearTimeout(t1); clearTimeout(t2); };
    document.getElementById("idle-stay").addEventListener("click", function () {
      postJSON("/hold-i-live", {}).then(function (r) {
        if (r.status === 200) {
          idle.touch();
          var f = window.kartleggingForm;
          if (f && f.dirty) f.save();
        } else if (r.status === 401) { sessionEnded(); }   // already logged out: log in again
        else if (r.status === 403) {  // the tablet was handed to the person meanwhile
          r.json().then(function (d) {
            if (d.error === "handover") { blankForHandover(); }
            else { state.textContent = "Fikk ikke holdt økten i live. Prøv igjen."; }
          }, function () { state.textContent = "Fikk ikke holdt økten i live. Prøv igjen."; });
        }
        else { state.textContent = "Fikk ikke holdt økten i live. Prøv igjen."; }
      }, function () { state.textContent = "Får ikke kontakt med serveren. Svar som ikke er lagret, er tatt vare på."; });
    });
    idle.touch();
  }

  /* ---------- log out: send what is waiting, then forget the encrypted copies ---------- */
  function setupLogout() {
    var logoutForm = document.querySelector('form[action$="/logg-ut"]');
    if (!logoutForm) return;
    var going = false;
    logoutForm.addEventListener("submit", function (e) {
      if (going) return;
      e.preventDefault();
      var f = window.kartleggingForm;
      var first = f && f.dirty && !f.blocked ? f.save() : Promise.resolve(true);
      first.then(function () {
        var here = f ? Object.keys(f.pendingChanges()).length + Object.keys(f.unresolved).length : 0;
        var elsewhere = vault.names().filter(function (n) { return !f || n !== f.store; }).length;
        if ((here || elsewhere) && !window.confirm(
            "Noen svar er ikke lagret ennå. Logger du ut nå, kan de ikke hentes tilbake. Logge ut likevel?")) return;
        if (f) f.submitting = true;
        vault.clear().then(function () { going = true; logoutForm.submit(); });
      });
    });
  }

  /* ---------- hand-over: other tabs blank themselves ----------
     When the tablet is handed to the person, a staff tab opened earlier must not keep showing
     the person's page. The hand-over page tells the other tabs at once (storage event); a tab
     that becomes visible again also asks the server (the fence answers 403 "handover"). */
  var HANDOVER_KEY = "kartlegging-handover";
  function blankForHandover() {
    var main = document.getElementById("innhold");
    document.querySelectorAll("header.topbar, #idle-warning").forEach(function (e) { e.remove(); });
    if (main) {
      main.replaceChildren(el("h1", {}, "Nettbrettet er gitt til personen"),
                           el("p", {}, "Denne siden er skjult mens personen svarer."));
    }
    document.title = "Kartlegging";
    window.location.replace(document.body.dataset.handoverUrl || "/egenvurdering");
  }
  function setupHandoverWatch() {
    if (document.body.dataset.handover) {
      try { window.localStorage.setItem(HANDOVER_KEY, String(Date.now())); } catch (e) { /* storage off */ }
      return;
    }
    var statusUrl = document.body.dataset.statusUrl;
    if (!statusUrl) return;
    window.addEventListener("storage", function (e) { if (e.key === HANDOVER_KEY) blankForHandover(); });
    function check() {
      if (document.visibilityState !== "visible" || !window.fetch) return;
      fetch(statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.status === 403 ? r.json() : null; })
        .then(function (data) { if (data && data.error === "handover") blankForHandover(); })
        .catch(function () { /* offline: nothing to check */ });
    }
    document.addEventListener("visibilitychange", check);
    window.addEventListener("pageshow", function (e) { if (e.persisted) check(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupIdle();
    setupLogout();
    settleSubmitted();
    var menu = document.getElementById("delmeny");
    if (menu && window.matchMedia && window.matchMedia("(min-width: 1000px)").matches) menu.open = true;
    setupHandoverWatch();
    var form = document.getElementById("section-form");
    if (form && form.dataset.autosave && window.fetch) { window.kartleggingForm = new SectionForm(form); }
    announceUnsaved(window.kartleggingForm);
    var resubmit = document.getElementById("resubmit");  // after a late log-in: save at once
    if (resubmit) {
      var button = resubmit.querySelector('button[name="lagre"]');
      if (resubmit.requestSubmit) resubmit.requestSubmit(button); else button.click();
    }
    // A field that only applies when a checkbox is ticked ("Hvorfor mangler nummeret?").
    document.querySelectorAll("[data-shown-by]").forEach(function (box) {
      var toggle = document.getElementById(box.dataset.shownBy);
      if (!toggle) return;
      var field = box.querySelector("textarea, input");
      function sync() { box.hidden = !toggle.checked && !(field && field.value); }
      toggle.addEventListener("change", sync);
      sync();
    });
    var summary = document.getElementById("feiloppsummering");
    if (summary) summary.focus();
  });
})();
