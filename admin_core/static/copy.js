// The embed page's copy buttons. They stay hidden where scripts do not run: there the read-only
// fields are selected and copied by hand.
(function () {
  "use strict";
  var script = document.currentScript;
  var status = document.getElementById("copy-status");
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var copied = navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject();
      copied.then(
        function () { status.textContent = script.dataset.done; },
        function () { status.textContent = script.dataset.failed; }
      );
    });
  });
})();
