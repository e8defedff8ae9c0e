// Keyboard shortcuts for the review pages. No data from the page is ever evaluated: this file only
// follows links and submits forms that the server rendered.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) { window.location.assign(link.href); }
  }

  function decide(id) {
    var form = document.getElementById("review");
    var button = document.getElementById(id);
    if (form && button) { form.requestSubmit(button); }
  }

  function moveRow(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.flag-row"));
    if (!rows.length) { return; }
    var at = rows.findIndex(function (row) { return row.classList.contains("current"); });
    var next = Math.min(Math.max(at + step, 0), rows.length - 1);
    if (at >= 0) { rows[at].classList.remove("current"); }
    rows[next].classList.add("current");
    rows[next].scrollIntoView({block: "nearest"});
  }

  function openRow() {
    var row = document.querySelector("tr.flag-row.current a.open");
    if (row) { window.location.assign(row.href); }
  }

  var onFlag = {j: function () { follow("next"); }, k: function () { follow("prev"); },
                c: function () { decide("confirm"); }, d: function () { decide("dismiss"); },
                s: function () { follow("skip"); }, u: function () { follow("back"); },
                n: function () { var note = document.getElementById("note"); if (note) { note.focus(); } }};
  var onList = {j: function () { moveRow(1); }, k: function () { moveRow(-1); },
                Enter: openRow, o: openRow};

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var keys = document.body.classList.contains("flag-page") ? onFlag :
               document.body.classList.contains("flags-page") ? onList : {};
    var action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("flags-page")) { moveRow(0); }
  });
})();
