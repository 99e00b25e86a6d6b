/* Kartlegging: progressive enhancement only. Every form also works as a plain POST.
   - autosave (debounced, on leaving a section), status "Lagret kl. …" / "Lagrer…" / "Ikke lagret – prøver igjen"
   - offline: answers stay in the page (memory), saved when the network returns
   - expired session: a login dialog over the form, then the same answers are saved
   - conflicts: never overwritten silently; the user chooses
   - conditional items and the IP prompt update live
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
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify(body)
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

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
    this.status = document.getElementById("save-status");
    this.version = form.querySelector('input[name="version"]');
    this.dirty = false; this.saving = false; this.timer = null; this.retry = 0;
    this.delay = 1200;  // ms of quiet before an autosave
    this.blocked = false;  // conflict or expired session: wait for the user
    var self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function () { self.changed(); });
    window.addEventListener("online", function () { if (self.dirty) { clearTimeout(self.timer); self.save(); } });
    window.addEventListener("beforeunload", function (e) {
      if (self.dirty && !self.submitting) { e.preventDefault(); e.returnValue = ""; }
    });
    form.addEventListener("submit", function (e) {
      clearTimeout(self.timer);
      if (navigator.onLine === false) {  // a plain POST now would land on the browser's error page
        e.preventDefault();
        self.dirty = true;
        self.say("Uten nett – svarene er tatt vare på og lagres når nettet er tilbake", "bad");
        return;
      }
      if (self.inflight) {  // an autosave is on its way: wait for the version it brings back
        e.preventDefault();
        var submitter = e.submitter;
        self.inflight.then(function () {
          if (self.blocked) return;  // expired session or conflict: the dialog/banner decides
          if (form.requestSubmit) { if (submitter) form.requestSubmit(submitter); else form.requestSubmit(); return; }
          if (submitter && submitter.name) form.appendChild(el("input", {type: "hidden", name: submitter.name, value: submitter.value}));
          self.submitting = true; form.submit();
        });
        return;
      }
      self.submitting = true;
    });
    // Leaving by the section menu: save first, then go.
    document.querySelectorAll("nav.sections a, .crumbs a").forEach(function (a) {
      a.addEventListener("click", function (e) {
        if (!self.dirty) return;
        e.preventDefault();
        self.save().then(function (ok) { if (ok) window.location = a.href; });
      });
    });
    this.applyConditions();
  }
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
  SectionForm.prototype.applyConditions = function () {
    var answers = this.answers();
    var blocks = this.form.querySelectorAll(".item[data-item]");
    var state = {};
    blocks.forEach(function (b) { state[b.dataset.item] = !b.hidden; });
    function visible(id) { return id in state ? state[id] : true; }
    blocks.forEach(function (b) {
      if (!b.dataset.showIf) return;
      var show = holds(JSON.parse(b.dataset.showIf), answers, visible);
      b.hidden = !show; state[b.dataset.item] = show;
    });
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
  SectionForm.prototype.say = function (text, kind) {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.className = "save-status " + (kind || "");
  };
  SectionForm.prototype.changed = function () {
    this.dirty = true;
    this.applyConditions();
    if (this.blocked) return;
    this.say("Ikke lagret ennå …", "pending");
    clearTimeout(this.timer);
    var self = this;
    this.timer = setTimeout(function () { self.save(); }, this.delay);
  };
  SectionForm.prototype.scheduleRetry = function () {
    var self = this;
    clearTimeout(this.timer);
    this.retry = Math.min(this.retry + 1, 6);
    this.timer = setTimeout(function () { self.save(); }, 1000 * Math.pow(2, this.retry - 1));
  };
  SectionForm.prototype.save = function () {
    var self = this;
    if (this.saving || this.blocked) return Promise.resolve(false);
    this.saving = true;
    this.dirty = false;
    this.say("Lagrer …", "pending");
    var body = {version: Number(this.version.value), section: this.section, answers: this.answers()};
    return this.inflight = postJSON(this.url, body).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return [r.status, data]; });
    }).then(function (res) {
      var code = res[0], data = res[1];
      self.saving = false; self.inflight = null;
      if (code === 200) {
        self.retry = 0; self.tokenRenewed = false;
        self.version.value = data.version;
        self.clearErrors();
        self.say("Lagret kl. " + data.saved_at, "ok");
        self.applyServer(data);
        if (self.dirty) self.changed();
        return true;
      }
      self.dirty = true;
      if (code === 401) { self.blocked = true; self.say("Ikke lagret – logg inn igjen", "bad"); reLogin(self); }
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
      return false;
    }).catch(function () {  // offline or server unreachable: keep everything, try again
      self.saving = false; self.inflight = null; self.dirty = true;
      self.say("Ikke lagret – prøver igjen", "bad");
      self.scheduleRetry();
      return false;
    });
  };
  SectionForm.prototype.applyServer = function (data) {
    var form = this.form;
    Object.keys(data.visible || {}).forEach(function (id) {
      var b = form.querySelector('.item[data-item="' + id + '"]');
      if (b) b.hidden = !data.visible[id];
    });
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
      self.version.value = data.version; self.blocked = false; box.remove(); self.save();
    });
    reload.addEventListener("click", function () { self.dirty = false; window.location.reload(); });
    box.appendChild(keep); box.appendChild(reload);
    this.form.parentNode.insertBefore(box, this.form);
    box.focus();
  };

  function renewToken() {
    var loginUrl = document.body.dataset.loginUrl || "/logg-inn";
    return fetch(loginUrl + "/token", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (t) { setCsrf(t.csrf_token); });
  }

  /* ---------- re-login over the form, keeping what was typed ---------- */
  function reLogin(sectionForm) {
    if (document.getElementById("relogin")) return;
    var dlg = el("div", {id: "relogin", "class": "relogin", role: "dialog", "aria-modal": "true", "aria-labelledby": "relogin-h"});
    dlg.appendChild(el("h2", {id: "relogin-h"}, "Økten er utløpt – logg inn igjen"));
    dlg.appendChild(el("p", {}, "Svarene du har skrevet er tatt vare på og lagres når du har logget inn."));
    var f = el("form", {novalidate: "novalidate"});
    f.appendChild(el("label", {"for": "relogin-user"}, "Brukernavn"));
    var u = el("input", {id: "relogin-user", type: "text", autocomplete: "username"}); f.appendChild(u);
    f.appendChild(el("label", {"for": "relogin-pass"}, "Passord"));
    var p = el("input", {id: "relogin-pass", type: "password", autocomplete: "current-password"}); f.appendChild(p);
    // Second factor, shown only when the server asks for it (users with two-factor).
    var codeBox = el("div", {hidden: "hidden"});
    codeBox.appendChild(el("label", {"for": "relogin-code"}, "Engangskode fra appen"));
    var c = el("input", {id: "relogin-code", type: "text", inputmode: "numeric", autocomplete: "one-time-code"});
    codeBox.appendChild(c); f.appendChild(codeBox);
    var msg = el("p", {"class": "error", role: "alert", id: "relogin-msg"}); f.appendChild(msg);
    f.appendChild(el("button", {type: "submit", "class": "btn btn-primary"}, "Logg inn og lagre"));
    dlg.appendChild(f);
    document.body.appendChild(dlg);
    u.focus();
    dlg.addEventListener("keydown", function (e) {  // aria-modal: keep Tab inside the dialog
      if (e.key !== "Tab") return;
      var items = Array.prototype.filter.call(dlg.querySelectorAll("input, button"),
                                              function (x) { return !x.closest("[hidden]"); });
      var first = items[0], last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    });
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var loginUrl = document.body.dataset.loginUrl || "/logg-inn";
      fetch(loginUrl + "/token", {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (t) {
          setCsrf(t.csrf_token);
          var creds = {username: u.value, password: p.value};
          if (!codeBox.hidden) creds.code = c.value;
          return postJSON(loginUrl, creds);
        })
        .then(function (r) { return r.json().then(function (d) { return [r.status, d]; }); })
        .then(function (res) {
          if (res[0] !== 200) {
            if (res[1].error === "totp") { codeBox.hidden = false; c.focus(); }
            msg.textContent = res[1].message || "Innloggingen mislyktes.";
            return;
          }
          setCsrf(res[1].csrf_token);
          dlg.remove();
          idle.reset();
          sectionForm.blocked = false;
          sectionForm.save();
        })
        .catch(function () { msg.textContent = "Får ikke kontakt med serveren. Prøv igjen."; });
    });
  }

  /* ---------- idle warning ---------- */
  var idle = {reset: function () {}};
  function setupIdle() {
    var ms = Number(document.body.dataset.idleMs || 0);
    var box = document.getElementById("idle-warning");
    if (!ms || !box) return;
    var warnAt = Math.max(ms - 120000, ms * 0.8), t1 = null, last = Date.now();
    idle.reset = function () {
      last = Date.now(); box.hidden = true; clearTimeout(t1);
      t1 = setTimeout(function () { box.hidden = false; }, warnAt);
    };
    document.getElementById("idle-stay").addEventListener("click", function () {
      postJSON("/hold-i-live", {}).then(function (r) {
        if (r.status !== 403) { idle.reset(); return; }
        r.json().then(function (d) { if (d.error === "handover") { blankForHandover(); } else { idle.reset(); } }, idle.reset);
      }, idle.reset);
    });
    ["keydown", "pointerdown"].forEach(function (ev) {
      document.addEventListener(ev, function () { if (Date.now() - last > 30000 && box.hidden) { idle.reset(); } });
    });
    idle.reset();
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
    setupHandoverWatch();
    var form = document.getElementById("section-form");
    if (form && form.dataset.autosave && window.fetch) { window.kartleggingForm = new SectionForm(form); }
    var summary = document.getElementById("feiloppsummering");
    if (summary) summary.focus();
  });
})();
