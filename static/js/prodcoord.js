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

  // Live pages (the board's table, a work order's live notice: [data-live-poll]) swap in place
  // when something changed. The board's table keeps its sideways scroll across the swap.
  var keptScroll = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "work-order-table") {
      var scroller = target.querySelector(".table-scroll");
      keptScroll = scroller ? scroller.scrollLeft : null;
    }
  });

  // Whether a form on the work order's page holds input the person typed or chose.
  function typedInto(root) {
    var fields = root ? root.querySelectorAll("input, textarea, select") : [];
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
        continue;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) { return true; }
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) { return true; }
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "work-order-table" && keptScroll !== null) {
      var scroller = document.querySelector("#work-order-table .table-scroll");
      if (scroller) { scroller.scrollLeft = keptScroll; }
      keptScroll = null;
    }
    var notice = document.querySelector("#work-order-live [data-live-changed]:not([data-handled])");
    if (!notice) {
      return;
    }
    notice.setAttribute("data-handled", "");
    // Someone else changed the order: show it now, unless that would clear what is being typed.
    if (typedInto(document.getElementById("work-order"))) {
      notice.querySelector("[data-live-dirty]").hidden = false;
    } else {
      notice.querySelector("[data-live-done]").hidden = false;
      window.htmx.trigger(notice.querySelector("[data-live-refresh]"), "click");
    }
  });

  // A live section marked data-keep-forms (the schedule page's plan) is not refreshed while a form
  // in it is open or holds input: the poll waits until the person is done.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!(elt instanceof Element) || !elt.hasAttribute("data-keep-forms")) {
      return;
    }
    var active = document.activeElement;
    var focused = active && elt.contains(active) && active.matches("input, select, textarea");
    if (elt.querySelector("details[open]") || focused || typedInto(elt)) {
      event.preventDefault();
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

  // The header's "More" menu closes on a click or tap elsewhere, and on Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.site-nav__more[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.site-nav__more") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
    }
  });
})();
