// The ticket workspace's enhancements. Without this file everything still works: the tabs are
// radio buttons, the file field is a file field, and polling is htmx's.
(function () {
  "use strict";

  function composer() {
    return document.getElementById("composer");
  }

  function choose(kind) {
    var form = composer();
    if (!form) {
      return;
    }
    var radio = form.querySelector("input[name=kind][value=" + kind + "]");
    if (radio) {
      radio.checked = true;
    }
    var body = form.querySelector("textarea[name=body]");
    if (body) {
      body.focus();
    }
  }

  // Canned replies: the server has filled in the placeholders for this ticket's contact.
  function insertCanned() {
    var form = composer();
    var pick = document.getElementById("canned-pick");
    var body = form && form.querySelector("textarea[name=body]");
    var option = pick && pick.selectedOptions[0];
    if (!body || !option || !option.value) {
      return;
    }
    var text = option.getAttribute("data-text");
    var start = body.selectionStart || 0;
    var end = body.selectionEnd || 0;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
    pick.value = "";
  }

  // Drag and drop onto the composer fills the ordinary file field; the server checks it as any.
  function setUpDrop(form) {
    var zone = form.querySelector("[data-dropzone]");
    var input = form.querySelector("input[type=file]");
    var problem = form.querySelector("[data-drop-error]");
    var hint = form.querySelector(".drop-hint");
    if (!zone || !input || typeof DataTransfer === "undefined") {
      return;
    }
    if (hint) {
      hint.hidden = false;
    }
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    function say(text) {
      problem.textContent = text;
      problem.hidden = !text;
    }
    form.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        zone.classList.add("dragging");
      }
    });
    form.addEventListener("dragleave", function (event) {
      if (!form.contains(event.relatedTarget)) {
        zone.classList.remove("dragging");
      }
    });
    form.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      zone.classList.remove("dragging");
      var file = event.dataTransfer.files[0];
      if (event.dataTransfer.files.length > 1) {
        say(zone.getAttribute("data-one-file"));
        return;
      }
      if (limit && file.size > limit) {
        say(zone.getAttribute("data-too-large"));
        return;
      }
      var transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      say("");
    });
  }

  // Shortcuts: single keys outside text fields, "g" then a letter for going somewhere.
  var pendingG = false;
  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
  }

  function go(name) {
    var dialog = document.getElementById("shortcuts");
    var url = dialog && dialog.getAttribute("data-" + name + "-url");
    if (url) {
      window.location.assign(url);
    }
  }

  function help() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open && event.key !== "?") {
      return;
    }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "q") {
        event.preventDefault();
        go("queue");
      } else if (key === "p") {
        event.preventDefault();
        go("phone");
      }
      return;
    }
    if (key === "g") {
      pendingG = true;
      window.setTimeout(function () { pendingG = false; }, 1500);
    } else if (key === "r" || key === "n") {
      event.preventDefault();
      choose(key === "r" ? "reply" : "note");
    } else if (key === "/") {
      event.preventDefault();
      var search = document.querySelector("input[type=search], input[name=q]");
      if (search) {
        search.focus();
      } else {
        go("queue");
      }
    } else if (key === "?") {
      event.preventDefault();
      help();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) {
      return;
    }
    if (target.closest("[data-shortcuts-open]")) {
      help();
    } else if (target.closest("[data-canned-insert]")) {
      insertCanned();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = composer();
    if (!form) {
      return;
    }
    var canned = form.querySelector("[data-canned]");
    if (canned) {
      canned.hidden = false;
    }
    setUpDrop(form);
  });
})();
