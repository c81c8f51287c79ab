// The dunning overview's "select this page" checkbox: it ticks or clears every row's checkbox
// and shows a mixed state when only some are ticked. Without script the box stays hidden and
// each row (or "select all matching") is ticked by hand.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-dunning-selection]");
    if (!form) {
      return;
    }
    var page = form.querySelector("[data-select-page]");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-select-row]"));
    if (!page || rows.length === 0) {
      return;
    }

    function sync() {
      var ticked = rows.filter(function (row) {
        return row.checked;
      }).length;
      page.checked = ticked === rows.length;
      page.indeterminate = ticked > 0 && ticked < rows.length;
    }

    page.hidden = false;
    page.addEventListener("change", function () {
      rows.forEach(function (row) {
        row.checked = page.checked;
      });
      sync();
    });
    rows.forEach(function (row) {
      row.addEventListener("change", sync);
    });
    sync();
  });
})();
