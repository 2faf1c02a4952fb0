/* Say when live updates or autosave stop working, and never lose a typed answer.

   - The workshop board polls with htmx: when a poll fails (network down, server gone) the
     banner says the board is no longer up to date; it says so again when a poll succeeds.
   - On a questionnaire page every field typed but not yet saved is "pending". A failed
     autosave says so and is retried; leaving through a link or another form (language,
     sign-out) first saves what is pending, and stays on the page, saying why, if it cannot;
     closing the tab or going back with answers pending asks first.
   - Without htmx at all (CDN and the app's own copy both unreachable), the banner says that
     updates are not automatic; answers are still saved on leaving through a link.

   The banner is a role="status" region always present in the page (base.html), so screen
   readers announce its changes; its messages come translated in its data-* attributes. */
(function () {
  "use strict";
  var banner = document.getElementById("connection-status");
  if (!banner) return;
  var form = document.querySelector("form[data-autosave]");
  var RETRY_MS = 5000;
  var CLEAR_MS = 6000;

  var shown = "";
  var clearTimer = null;
  function say(key, transient) {
    window.clearTimeout(clearTimer);
    shown = key;
    banner.textContent = key ? banner.getAttribute("data-" + key) : "";
    banner.className = "connection-status" + (key && !transient ? " is-down" : "");
    // Keep a field reached with the keyboard from hiding under the sticky banner.
    document.documentElement.style.scrollPaddingTop = key ? banner.offsetHeight + "px" : "";
    if (transient) {
      clearTimer = window.setTimeout(function () {
        if (shown === key) say("");
      }, CLEAR_MS);
    }
  }

  function live(element) {
    return element && element.closest && element.closest("[data-live]");
  }

  // ---- Live board -------------------------------------------------------------------------
  function pollFailed(event) {
    if (live(event.target)) say("board-down");
  }
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, pollFailed);
    document.addEventListener(name, saveFailed);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (live(event.target) && event.detail.successful && shown === "board-down") {
      say("board-back", true);
    }
  });

  window.addEventListener("load", function () {
    if (window.htmx) return;
    if (document.querySelector("[data-live]")) say("no-live");
    else if (form) say("no-autosave");
  });

  if (!form) return;

  // ---- Questionnaire answers --------------------------------------------------------------
  var pending = {}; // question id -> edit number not yet known to be saved
  var sent = {}; // question id -> edit number of the autosave in flight
  var edits = 0;
  var leaving = false;
  var retryTimer = null;

  function questionOf(element) {
    var question = element && element.closest && element.closest(".question");
    return question && question.id.indexOf("q-") === 0 ? question : null;
  }
  function idOf(element) {
    var question = questionOf(element);
    return question ? question.id.slice(2) : null;
  }
  function anyPending() {
    return Object.keys(pending).length > 0;
  }

  function edited(event) {
    if (!event.isTrusted) return; // our own retries below, not the reader's typing
    var id = idOf(event.target);
    if (id && event.target.name === id) pending[id] = ++edits;
  }
  // Capture phase: counted before htmx's own listener on the field starts the autosave, so
  // that save carries this edit's number. Counted after it (bubbling), a "change" fired on
  // leaving a field already saved by its keyup looked like a newer edit: the field stayed
  // pending and its old value was sent again on leaving the page, over newer answers.
  form.addEventListener("input", edited, true);
  form.addEventListener("change", edited, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var id = idOf(event.target);
    if (id) sent[id] = pending[id];
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var id = idOf(event.target);
    if (!id || !event.detail.successful) return;
    // Saved (or refused with a message shown next to the field): nothing more to send,
    // unless the reader typed again meanwhile.
    if (pending[id] === sent[id]) delete pending[id];
    if (!anyPending() && shown === "save-down") say("save-back", true);
  });

  function saveFailed(event) {
    if (!idOf(event.target)) return;
    say("save-down");
    if (!retryTimer) retryTimer = window.setInterval(retry, RETRY_MS);
  }
  function retry() {
    if (!anyPending()) {
      window.clearInterval(retryTimer);
      retryTimer = null;
      return;
    }
    if (!window.htmx) return;
    Object.keys(pending).forEach(function (id) {
      var question = document.getElementById("q-" + id);
      var trigger = question && question.querySelector("[hx-post]");
      if (trigger) window.htmx.trigger(trigger, "change");
    });
  }
  window.addEventListener("online", retry);

  function csrfToken() {
    var field = form.querySelector('input[name="csrftoken"]');
    return field ? field.value : "";
  }

  // The same request as the field's autosave, without htmx (it may be missing).
  function save(id) {
    var question = document.getElementById("q-" + id);
    var trigger = question && question.querySelector("[hx-post]");
    if (!trigger) {
      delete pending[id]; // hidden by another answer meanwhile: nothing to save
      return Promise.resolve();
    }
    var edit = pending[id];
    var body = new URLSearchParams();
    question.querySelectorAll("[name]").forEach(function (field) {
      if (field.name !== id) return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      body.append(field.name, field.value);
    });
    body.append("csrftoken", csrfToken());
    return fetch(trigger.getAttribute("hx-post"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      keepalive: true,
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      if (pending[id] === edit) delete pending[id];
    });
  }
  function saveAll() {
    return Promise.all(Object.keys(pending).map(save));
  }

  // Leaving through a link: save first, then go.
  document.addEventListener("click", function (event) {
    if (!anyPending() || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return; // new tab
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || (link.target && link.target !== "_self")) return;
    var url = new URL(link.href, window.location.href);
    var here = window.location;
    if (url.hash && url.origin === here.origin && url.pathname === here.pathname && url.search === here.search) {
      return; // a jump inside the page (skip link, list of errors)
    }
    event.preventDefault();
    saveAll().then(
      function () {
        leaving = true;
        window.location.assign(link.href);
      },
      function () {
        say("save-down");
      }
    );
  });

  // Another form (language, sign-out): save first. The questionnaire's own form sends every
  // answer itself.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form) {
      leaving = true;
      return;
    }
    if (!anyPending() || event.defaultPrevented) return;
    event.preventDefault();
    var submitter = event.submitter;
    saveAll().then(
      function () {
        leaving = true;
        other.requestSubmit(submitter);
      },
      function () {
        say("save-down");
      }
    );
  });

  // Closing the tab, going back, typing an address: send what is pending (keepalive requests
  // outlive the page) and ask, since there is no knowing whether it arrives.
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !anyPending()) return;
    saveAll().catch(function () {
      say("save-down");
    });
    event.preventDefault();
    event.returnValue = "";
  });
  window.addEventListener("pageshow", function () {
    leaving = false; // back from the next page through the cache
  });

  // ---- A form saved whole (the action plan: data-autosave-whole) ---------------------------
  // The form itself posts (htmx), not one field: it is pending from an edit until a save
  // sent after that edit succeeds; a failed save says so and is retried like answers.
  if (!form.hasAttribute("data-autosave-whole")) return;
  var wholePending = 0;
  var wholeSent = 0;
  var wholeRetry = null;
  function editedWhole(event) {
    if (event.isTrusted) wholePending = ++edits;
  }
  form.addEventListener("input", editedWhole);
  form.addEventListener("change", editedWhole);
  function wholeFailed() {
    say("save-down");
    if (!wholeRetry) {
      wholeRetry = window.setInterval(function () {
        if (!wholePending) {
          window.clearInterval(wholeRetry);
          wholeRetry = null;
        } else if (window.htmx) {
          window.htmx.trigger(form, "change");
        }
      }, RETRY_MS);
    }
  }
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target === form) wholeFailed();
    });
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target === form) wholeSent = wholePending;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.target !== form || !event.detail.successful) return;
    if (wholePending === wholeSent) wholePending = 0;
    if (!wholePending && shown === "save-down") say("save-back", true);
  });
  function saveWhole() {
    var body = new URLSearchParams(new FormData(form));
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      keepalive: true,
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      wholePending = 0;
    });
  }
  document.addEventListener("click", function (event) {
    if (!wholePending || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || (link.target && link.target !== "_self")) return;
    if (link.getAttribute("href").charAt(0) === "#") return;
    event.preventDefault();
    saveWhole().then(
      function () {
        leaving = true;
        window.location.assign(link.href);
      },
      wholeFailed
    );
  });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !wholePending) return;
    saveWhole().catch(wholeFailed);
    event.preventDefault();
    event.returnValue = "";
  });
})();
