/* On a questionnaire page, say what autosave changed elsewhere on the page.

   - A question revealed by an answer (show_if) is announced in a polite live region and
     scrolled into view when it lies below the screen (instantly under reduced motion). Focus
     stays where the reader is: they are still answering the question that revealed it, and
     the revealed one is next in the tab order.
   - The running total of resources (partials/resource_total.html, redrawn by each autosave)
     is read out once the reader pauses, not at every keystroke's save, and only when it
     changed. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var revealLive = document.getElementById("reveal-live");
  var totalLive = document.getElementById("resource-total-live");
  var PAUSE_MS = 2000;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  function hiddenQuestions() {
    var ids = {};
    form.querySelectorAll(".question[hidden]").forEach(function (question) {
      ids[question.id] = true;
    });
    return ids;
  }
  var hiddenBefore = hiddenQuestions();

  function labelOf(question) {
    var label = question.querySelector("legend, label");
    if (!label) return "";
    var copy = label.cloneNode(true);
    copy.querySelectorAll(".required").forEach(function (mark) {
      mark.remove();
    });
    return copy.textContent.trim();
  }

  function revealed(question) {
    if (revealLive) {
      var template = revealLive.getAttribute("data-template") || "%(label)s";
      // Emptied first so the same sentence twice is announced twice.
      revealLive.textContent = "";
      window.setTimeout(function () {
        revealLive.textContent = template.replace("%(label)s", labelOf(question));
      }, 50);
    }
    question.classList.add("is-revealed");
    window.setTimeout(function () {
      question.classList.remove("is-revealed");
    }, 4000);
    var box = question.getBoundingClientRect();
    if (box.bottom > window.innerHeight || box.top < 0) {
      question.scrollIntoView({
        block: "nearest",
        behavior: reducedMotion && reducedMotion.matches ? "auto" : "smooth",
      });
    }
  }

  var announced = totalLive ? textOfTotal() : "";
  var totalTimer = null;
  function textOfTotal() {
    var block = document.getElementById("resource-total");
    return block ? block.textContent.replace(/\s+/g, " ").trim() : "";
  }
  function totalMaybeChanged() {
    if (!totalLive) return;
    window.clearTimeout(totalTimer);
    totalTimer = window.setTimeout(function () {
      var text = textOfTotal();
      if (text && text !== announced) {
        announced = text;
        totalLive.textContent = text;
      }
    }, PAUSE_MS);
  }
  // Typing again restarts the pause.
  form.addEventListener("input", function () {
    if (totalTimer) totalMaybeChanged();
  });

  document.addEventListener("htmx:afterSettle", function () {
    var hiddenNow = hiddenQuestions();
    var first = null;
    form.querySelectorAll(".question").forEach(function (question) {
      if (hiddenBefore[question.id] && !hiddenNow[question.id] && !first) first = question;
    });
    hiddenBefore = hiddenNow;
    if (first) revealed(first);
    totalMaybeChanged();
  });
})();
