// Planning pages: print buttons, and the projected-balance chart of an item's page.
// No inline script (the Content-Security-Policy refuses it): the chart's data comes from a
// json_script element (#projection-data), drawn with the vendored Chart.js.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    var source = document.getElementById("projection-data");
    var canvas = document.getElementById("projection-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var balance = data.points.map(function (p) { return Number(p.balance); });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.points.map(function (p) { return p.label; }),
        datasets: [
          {
            label: "Projected balance (" + data.uom + ")",
            data: balance,
            stepped: "before",
            borderColor: "#1849a9",
            backgroundColor: "rgba(24, 73, 169, 0.08)",
            borderWidth: 2,
            pointRadius: 3,
            pointStyle: balance.map(function (v) { return v < 0 ? "triangle" : "circle"; }),
            pointBackgroundColor: balance.map(function (v) { return v < 0 ? "#b42318" : "#1849a9"; }),
            fill: { target: "origin", above: "rgba(24, 73, 169, 0.08)", below: "rgba(180, 35, 24, 0.18)" },
          },
          {
            label: "Zero",
            data: balance.map(function () { return 0; }),
            borderColor: "#667085",
            borderDash: [6, 4],
            borderWidth: 1,
            pointRadius: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { filter: function (item) { return item.text !== "Zero"; } } } },
        scales: { y: { title: { display: true, text: data.uom } } },
      },
    });
  });
})();
