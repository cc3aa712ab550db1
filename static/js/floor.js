// Floor mode's idle sign-out on a shared tablet. The server signs a floor session out after
// FLOOR_IDLE_TIMEOUT_SECONDS without a request; this page does the same after that long without
// a touch or a key, by going back to floor mode's start, where the server signs it out and
// shows the sign-in. Any touch, key or typing starts the count again.
(function () {
  "use strict";

  var body = document.body;
  var seconds = body ? parseInt(body.getAttribute("data-idle-seconds") || "0", 10) : 0;
  var url = body ? body.getAttribute("data-idle-url") : null;
  if (!seconds || !url) {
    return;
  }
  var timer = null;
  function restart() {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    // One second more than the server's limit, so the server agrees that the session is idle.
    timer = window.setTimeout(function () {
      window.location.assign(url);
    }, (seconds + 1) * 1000);
  }
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
