// Progressive enhancement only: without this file every field is simply shown.
// "Hardware fault suspected?" reveals the delivery fields (R9) when it is ticked.
(function () {
  "use strict";
  function wire(fieldset) {
    var box = document.getElementById(fieldset.getAttribute("data-shown-by"));
    if (!box) { return; }
    var sync = function () { fieldset.hidden = !box.checked; };
    box.addEventListener("change", sync);
    box.setAttribute("aria-controls", fieldset.id);
    sync();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset[data-shown-by]").forEach(wire);
  });
})();
