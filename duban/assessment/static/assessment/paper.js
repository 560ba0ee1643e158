// Paper double entry: type a slip with the keyboard. In the grid, a digit picks the grade
// of the focused row (1 = the best grade, 0 = not rated) and moves to the next row; the
// up and down arrows change rows without changing the choice. A counter shows how many
// subjects are rated and how many are in the top grade, against the quota.
(function () {
  "use strict";

  function groups(form) {
    var names = [];
    var seen = {};
    form.querySelectorAll(".pg-grid input[type=radio]:not([disabled])").forEach(function (input) {
      if (!seen[input.name]) {
        seen[input.name] = true;
        names.push(input.name);
      }
    });
    return names;
  }

  function radios(form, name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[type=radio][name="' + name + '"]'));
  }

  function focusGroup(form, name) {
    var options = radios(form, name);
    var target = options.find(function (r) { return r.checked; }) || options[0];
    if (target) {
      target.focus();
      target.closest("tr").scrollIntoView({ block: "nearest" });
    }
  }

  function counter(form) {
    var rated = form.querySelector('[data-count="rated"]');
    if (!rated) {
      return;
    }
    var top = form.querySelector('[data-count="top"]');
    var warn = form.querySelector('[data-count="warn"]');
    var topOrder = form.dataset.topOrder;
    var topMax = form.dataset.topMax === "" ? null : parseInt(form.dataset.topMax, 10);
    var dims = parseInt(form.dataset.dims, 10) || 1;
    var ratedRows = 0;
    var topByDim = [];
    form.querySelectorAll("tr[data-subject]").forEach(function (row) {
      var picked = 0;
      var dim = 0;
      var names = [];
      row.querySelectorAll("input[type=radio]").forEach(function (r) {
        if (names.indexOf(r.name) < 0) {
          names.push(r.name);
        }
      });
      names.forEach(function (name, index) {
        var checked = row.querySelector('input[name="' + name + '"]:checked');
        dim = index % dims;
        if (checked && checked.value !== "none") {
          picked += 1;
          if (checked.value === topOrder) {
            topByDim[dim] = (topByDim[dim] || 0) + 1;
          }
        }
      });
      if (picked === dims) {
        ratedRows += 1;
      }
    });
    var most = topByDim.reduce(function (a, b) { return Math.max(a, b || 0); }, 0);
    rated.textContent = ratedRows;
    top.textContent = most;
    if (topMax !== null && most > topMax) {
      warn.textContent = "评为“" + form.dataset.topLabel + "”的超过上限，这张票将计为废票（仍可按原票保存）。";
      warn.hidden = false;
    } else {
      warn.hidden = true;
    }
  }

  function setup(form) {
    form.addEventListener("keydown", function (event) {
      var input = event.target;
      if (input.name === "slip_no" && event.key === "Enter") {
        // Enter after the slip number starts the grid instead of submitting an empty slip.
        var first = groups(form)[0];
        if (first) {
          event.preventDefault();
          focusGroup(form, first);
        }
        return;
      }
      if (!(input instanceof HTMLInputElement) || input.type !== "radio" || !input.closest(".pg-grid")) {
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var names = groups(form);
      var index = names.indexOf(input.name);
      var options = radios(form, input.name);
      if (/^[0-9]$/.test(event.key)) {
        var digit = parseInt(event.key, 10);
        var choice = digit === 0 ? options[options.length - 1] : options[digit - 1];
        if (!choice || (digit !== 0 && choice === options[options.length - 1])) {
          return;
        }
        event.preventDefault();
        choice.checked = true;
        choice.dispatchEvent(new Event("change", { bubbles: true }));
        if (index + 1 < names.length) {
          focusGroup(form, names[index + 1]);
        } else {
          var submit = form.querySelector("button[type=submit]");
          if (submit) {
            submit.focus();
          }
        }
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = index + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= 0 && next < names.length) {
          focusGroup(form, names[next]);
        }
      }
    });
    form.addEventListener("change", function () { counter(form); });
    counter(form);
    var slip = form.querySelector('input[name="slip_no"]');
    var summary = document.querySelector(".db-error-summary");
    if (summary) {
      summary.focus();
    } else if (slip) {
      slip.focus();
      slip.select();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.pg-form").forEach(function (form) {
      setup(form);
      form.dataset.ready = "1"; // keyboard entry works from here on (tests wait for it)
    });
  });
})();
