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

// Live queue: every few seconds, and whenever the agent comes back to the tab, ask whether
// anything changed. The server answers 304 from one indexed query while nothing did; only a
// change brings the rows and counts. Never swapped under an agent's selection or typing.
(function () {
  "use strict";

  var live = document.getElementById("queue-live");
  if (!live || !window.fetch) {
    return;
  }
  var note = document.getElementById("live-note");
  var seconds = parseInt(live.getAttribute("data-live-seconds"), 10) || 20;

  function busy() {
    var list = document.getElementById("ticket-list");
    var active = document.activeElement;
    var typing = active && list && list.contains(active) && active.tagName === "SELECT";
    return Boolean(document.querySelector("#ticket-list input[name=tickets]:checked") || typing);
  }

  function liveUrl() {
    var query = new URLSearchParams(window.location.search);
    query.set("live", "1");
    return window.location.pathname + "?" + query.toString();
  }

  function swap(fresh, id) {
    var now = document.getElementById(id);
    var next = fresh.getElementById(id);
    if (now && next) {
      now.replaceWith(next);
      if (window.htmx) {
        window.htmx.process(next);
      }
    }
  }

  function poll() {
    if (document.hidden) {
      return;
    }
    var list = document.getElementById("ticket-list");
    var etag = list ? list.getAttribute("data-etag") : "";
    fetch(liveUrl(), {
      headers: { "If-None-Match": etag || "" },
      cache: "no-store",
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.status === 200 ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        if (busy()) {
          if (note) {
            note.hidden = false;
          }
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        swap(fresh, "queue-tabs");
        swap(fresh, "ticket-list");
        if (note) {
          note.hidden = true;
        }
      })
      .catch(function () {
        // Offline for a moment: the next round tries again.
      });
  }

  window.setInterval(poll, seconds * 1000);
  window.addEventListener("focus", poll);
  document.addEventListener("visibilitychange", poll);
})();
