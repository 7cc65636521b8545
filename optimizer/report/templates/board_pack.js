// The slider over the frontier's grid: shows the plan and budget of the chosen target.
// Reads the run's data embedded in the page; writes text only (textContent), never markup.
(function () {
  "use strict";
  var source = document.getElementById("board-data");
  var slider = document.getElementById("target-slider");
  if (!source || !slider) { return; }
  var data = JSON.parse(source.textContent);

  function byId(id) { return document.getElementById(id); }

  function cell(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) { node.className = className; }
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function showPlan(rows) {
    var body = byId("point-plan").tBodies[0];
    var empty = byId("point-plan").getAttribute("data-empty");
    clear(body);
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = cell("td", empty);
      td.colSpan = 3;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("td", row[0]));
      tr.appendChild(cell("td", row[1]));
      tr.appendChild(cell("td", row[2], "num"));
      body.appendChild(tr);
    });
  }

  function showBudget(rows) {
    var table = byId("point-budget");
    byId("point-budget-missing").hidden = !!rows;
    table.hidden = !rows;
    if (!rows) { return; }
    var body = table.tBodies[0];
    clear(body);
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.className = row.kind;
      if (row.kind === "group") {
        var th = cell("th", row.cells[0]);
        th.colSpan = 4;
        th.scope = "rowgroup";
        tr.appendChild(th);
      } else {
        tr.appendChild(cell("td", row.cells[0]));
        for (var i = 1; i < 4; i += 1) { tr.appendChild(cell("td", row.cells[i], "num")); }
      }
      body.appendChild(tr);
    });
  }

  function show(index) {
    var point = data.points[index];
    var text = point.text;
    byId("target-value").textContent = text.target;
    slider.setAttribute("aria-valuetext", text.target);
    byId("point-head").textContent = text.head;
    byId("point-figures").textContent = text.figures;
    showPlan(text.plan);
    showBudget(text.budget);
    var marker = byId("frontier-marker");
    if (marker) {
      marker.setAttribute("visibility", point.marker ? "visible" : "hidden");
      if (point.marker) {
        marker.setAttribute("cx", point.marker[0]);
        marker.setAttribute("cy", point.marker[1]);
      }
    }
  }

  slider.addEventListener("input", function () { show(Number(slider.value)); });
  show(Number(slider.value));
}());
