/* The self-assessment page (scoring/self_assessment.html): one form for every criterion.
   - warns before leaving the page with edits not saved (the browser's own prompt);
   - marks each edited card "not saved" and keeps its summary's points in step with what is typed;
   - opens every card on screens 576 px and wider; on a phone cards stay folded to title and points.
   No inline script (the Content-Security-Policy allows none); loaded with defer, runs once. */
(function () {
  if (window.qdSelfAssess) { return; }
  window.qdSelfAssess = true;
  function start() {
    var form = document.querySelector("form[data-unsaved-warning]");
    if (!form) { return; }
    var dirty = form.dataset.dirty === "1";
    var sending = false;
    if (window.matchMedia("(min-width: 576px)").matches) {
      document.querySelectorAll("details[data-card]").forEach(function (card) { card.open = true; });
    }
    function edited(event) {
      var card = event.target.closest("details[data-card]");
      dirty = true;
      if (!card) { return; }
      var mark = card.querySelector("[data-edited]");
      if (mark) { mark.hidden = false; }
      var shown = card.querySelector("[data-points-shown]");
      if (shown && event.target.matches("[data-points]")) {
        shown.textContent = event.target.value === "" ? shown.dataset.empty : event.target.value;
      }
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function () { sending = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !sending) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
