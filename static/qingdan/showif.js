/* Show-if logic on the respondent's side: a question carrying data-show-if-question /
   data-show-if-option is shown only while that option of the earlier question is picked (and
   the earlier question is itself shown). A hidden question is disabled, so nothing of it is sent;
   the server checks the same rule. Loaded by surveys/questionnaire_field.html; runs once. */
(function () {
  if (window.qdShowIf) { return; }
  window.qdShowIf = true;
  function apply() {
    var showAll = document.querySelector("[data-show-all]:checked");
    document.querySelectorAll("[data-show-if-question]").forEach(function (box) {
      var scope = box.form || box.closest("form") || document;
      var source = scope.querySelector('[data-question="' + box.dataset.showIfQuestion + '"]');
      var option = scope.querySelector('[name="q' + box.dataset.showIfQuestion + '"][data-option="' + box.dataset.showIfOption + '"]');
      var shown = Boolean(showAll) || Boolean(option && option.checked && !(source && source.hidden));
      box.hidden = !shown;
      box.disabled = !shown;
    });
  }
  document.addEventListener("change", apply);
  document.addEventListener("htmx:afterSettle", apply);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
})();
