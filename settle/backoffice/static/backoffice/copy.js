// Copy buttons: <button data-copy="ID"> copies the value of the input with that id. The button
// is hidden in the HTML and shown here, so without script no dead button appears; the input is
// readonly and can always be selected and copied by hand.
(function () {
  "use strict";

  function status(button, text) {
    var box = button.parentNode.querySelector(".copy-field__status");
    if (box) {
      box.textContent = text;
    }
  }

  function copy(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) {
      return;
    }
    input.focus();
    input.select();
    var done = function () {
      status(button, button.getAttribute("data-copied-text") || "");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (document.execCommand("copy")) {
          done();
        }
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(button);
      });
    });
    document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
    });
  });
})();
