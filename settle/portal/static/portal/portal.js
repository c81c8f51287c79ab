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
});
