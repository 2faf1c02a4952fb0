/* Count down every [data-timer] on the page to the end of the round's phase.

   The end time comes from the server (data-ends, epoch ms) with the server's clock at render
   time (data-now), so a screen whose own clock is off still shows the same countdown as the
   others. Elements are looked up on each tick: htmx swaps in fresh ones with each poll. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      if (!el.hasAttribute("data-offset")) {
        // The gap between this device's clock and the server's, fixed at first sight.
        el.setAttribute("data-offset", String(Number(el.getAttribute("data-now")) - Date.now()));
      }
      var now = Date.now() + Number(el.getAttribute("data-offset"));
      var left = Math.max(0, Math.ceil((Number(el.getAttribute("data-ends")) - now) / 1000));
      el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      el.classList.toggle("is-over", left === 0);
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();
