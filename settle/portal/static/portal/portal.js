// Progressive enhancement for the portal; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    var name = box.getAttribute("data-select-all");
    var form = box.form;
    var items = form.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    box.closest(".select-all").hidden = false;
    box.addEventListener("change", function () {
      items.forEach(function (item) { item.checked = box.checked; });
    });
    items.forEach(function (item) {
      item.addEventListener("change", function () {
        box.checked = Array.prototype.every.call(items, function (i) { return i.checked; });
      });
    });
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.requestSubmit(); });
  });
  // With htmx, choosing a response type swaps its fields in; the "Next" step is for pages
  // without JavaScript.
  if (window.htmx) {
    document.querySelectorAll("[data-htmx-hide]").forEach(function (el) { el.hidden = true; });
  }
  // A page that comes back with errors starts at their summary, for keyboard and screen reader.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
});

// A double click sends a form once; the server also refuses a second submission of it.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-submit-once")) { return; }
  if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
  form.setAttribute("data-submitted", "1");
});
// Coming back to a page from the history must leave its forms usable again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    form.removeAttribute("data-submitted");
  });
});
