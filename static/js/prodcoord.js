// The pages' own script. It lives in this file, not in the HTML, so the
// Content-Security-Policy can refuse every inline script (script-src 'self').
// Loaded in <head> without defer: the "js" class is set before the page paints.
(function () {
  "use strict";

  document.documentElement.className = "js";

  // A form inside an element marked data-swap-errors shows the 400 or 409 answer
  // (the form with its errors, or the refusal) in place, like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.target instanceof Element ? event.target : null;
    if ((status === 400 || status === 409) && target && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Picking a suggestion of an input's <datalist> (or typing one exactly) chooses it: the
  // input announces a change at once rather than when it loses focus (the new work order's
  // item: its pinned revisions are fetched on change).
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.list) {
      return;
    }
    var options = input.list.options;
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === input.value) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
  });
})();
