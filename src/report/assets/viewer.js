// neurorep viewer: renders the Vega-Lite specs embedded in the page and makes tables sortable.
// Specs arrive as JSON in <script type="application/json" id="neurorep-charts"> (never as code).
(function () {
  'use strict';
  var errors = [];
  function render() {
    var node = document.getElementById('neurorep-charts');
    if (!node) return Promise.resolve();
    var charts = JSON.parse(node.textContent || '[]');
    return Promise.all(
      charts.map(function (c) {
        var el = document.getElementById(c.id);
        if (!el) return null;
        return window.vegaEmbed(el, c.spec, { actions: false, renderer: 'svg' }).catch(function (err) {
          errors.push(String(err));
          el.textContent = 'chart failed: ' + err;
        });
      }),
    );
  }
  function sortable() {
    document.querySelectorAll('table.sortable th').forEach(function (th, col) {
      th.addEventListener('click', function () {
        var table = th.closest('table');
        var body = table.tBodies[0];
        var asc = th.getAttribute('data-sort') !== 'asc';
        table.querySelectorAll('th').forEach(function (h) {
          h.removeAttribute('data-sort');
        });
        th.setAttribute('data-sort', asc ? 'asc' : 'desc');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-value') || a.cells[col].textContent;
          var y = b.cells[col].getAttribute('data-value') || b.cells[col].textContent;
          var nx = parseFloat(x),
            ny = parseFloat(y);
          var cmp = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
          return asc ? cmp : -cmp;
        });
        rows.forEach(function (r) {
          body.appendChild(r);
        });
      });
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    sortable();
    render().then(function () {
      document.body.setAttribute('data-charts-rendered', errors.length ? 'error' : 'yes');
    });
  });
})();
