// Behaviour that the Content-Security-Policy keeps out of HTML attributes (no onclick=…): every page loads this.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-navigate]");
  if (select) window.location.search = select.value;
});
document.addEventListener("submit", function (event) {
  if (event.target.hasAttribute("data-inert")) event.preventDefault();
});
// An upload's progress bar (templates/includes/upload_form.html), fed by htmx.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (bar && event.detail.lengthComputable) { bar.classList.remove("d-none"); bar.value = event.detail.loaded / event.detail.total * 100; }
});
// A table or chart that scrolls inside its box can be scrolled from the keyboard too (WCAG 2.1.1): it takes
// the focus when, and only when, it overflows.
function qdScrollablesFocusable(root) {
  root.querySelectorAll(".table-responsive, .qd-chart-scroll").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) box.setAttribute("tabindex", "0");
  });
}
window.addEventListener("load", function () { qdScrollablesFocusable(document); });
document.addEventListener("htmx:afterSettle", function (event) { qdScrollablesFocusable(event.target); });
