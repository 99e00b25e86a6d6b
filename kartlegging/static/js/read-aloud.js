/* «Les opp»: the page's question and choices read aloud in the person's language by the
   tablet's own speech synthesis (window.speechSynthesis). Nothing leaves the tablet: no audio
   is sent anywhere and no outside service is asked. Without a voice for the language the
   person is told so in words on the page. */
(function () {
  "use strict";

  function normal(tag) { return String(tag || "").replace("_", "-").toLowerCase(); }

  // The first voice whose language is one of the tags, in the order the language file gives
  // them: an exact tag first ("nb-NO"), then a voice of that language in any region ("nb").
  function pickVoice(voices, tags) {
    var i, j, lang;
    for (i = 0; i < tags.length; i++) {
      for (j = 0; j < voices.length; j++) {
        if (normal(voices[j].lang) === normal(tags[i])) return voices[j];
      }
    }
    for (i = 0; i < tags.length; i++) {
      for (j = 0; j < voices.length; j++) {
        lang = normal(voices[j].lang);
        if (lang.split("-")[0] === normal(tags[i]).split("-")[0]) return voices[j];
      }
    }
    return null;
  }

  // Voices may load after the page (Chromium fills the list later and says so once).
  function withVoices(synth, then) {
    var voices = synth.getVoices() || [];
    if (voices.length) { then(voices); return; }
    var done = false;
    function go() { if (!done) { done = true; then(synth.getVoices() || []); } }
    if (synth.addEventListener) synth.addEventListener("voiceschanged", go, { once: true });
    window.setTimeout(go, 1500);
  }

  function texts() {
    var out = [];
    document.querySelectorAll("[data-speak]").forEach(function (el) {
      var text = (el.getAttribute("data-speak") || el.textContent || "").trim();
      if (text) out.push(text);
    });
    return out;
  }

  function init() {
    var box = document.querySelector("[data-read-aloud]");
    if (!box) return;
    var button = box.querySelector(".lk-read-btn");
    var message = box.querySelector(".lk-no-voice");
    var tags = (box.getAttribute("data-read-aloud") || "").split(" ").filter(Boolean);
    button.hidden = false;
    button.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      if (!synth || typeof window.SpeechSynthesisUtterance !== "function") {
        message.hidden = false;
        return;
      }
      synth.cancel();
      withVoices(synth, function (voices) {
        var voice = pickVoice(voices, tags);
        if (!voice) { message.hidden = false; return; }
        message.hidden = true;
        texts().forEach(function (text) {
          var u = new window.SpeechSynthesisUtterance(text);
          u.lang = voice.lang;
          try { u.voice = voice; } catch (e) { /* a voice object from another realm */ }
          synth.speak(u);
        });
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
