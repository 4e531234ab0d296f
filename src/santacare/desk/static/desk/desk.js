// Keyboard-first phone intake (R7): arrow keys move through the matches, Enter picks one.
// Everything works without this file; it only saves the agent the mouse.
(function () {
  "use strict";

  function picks() {
    return Array.prototype.slice.call(document.querySelectorAll("#results .picks a, #intake .picks a"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    var links = picks();
    if (!links.length) {
      return;
    }
    var index = links.indexOf(document.activeElement);
    var search = document.getElementById("lookup-q");
    if (index === -1 && document.activeElement !== search) {
      return;
    }
    event.preventDefault();
    if (event.key === "ArrowDown") {
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (index <= 0) {
      search.focus();
    } else {
      links[index - 1].focus();
    }
  });

  // Show or hide the delivery fields with the hardware-fault box (R9: required only then).
  function syncDelivery() {
    var box = document.querySelector("input[name=hardware_fault]");
    var fields = document.querySelector("fieldset.delivery");
    if (box && fields) {
      fields.hidden = !box.checked;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "hardware_fault") {
      syncDelivery();
    }
  });
  document.addEventListener("DOMContentLoaded", syncDelivery);
  document.addEventListener("htmx:afterSettle", function (event) {
    syncDelivery();
    // After a pick, keep the hands on the keyboard: focus the first field or the next list.
    var intake = document.getElementById("intake");
    if (intake && intake.contains(event.target) && !intake.contains(document.activeElement)) {
      var next = intake.querySelector("[autofocus], .picks a");
      if (next) {
        next.focus();
      }
    }
  });
})();
