/* Shouhu's small enhancements of the server-rendered forms. Every page works without this file: the
   server checks everything again. No inline scripts (strict CSP); loaded with `defer` on every page. */
(function () {
  "use strict";

  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  /* GB 11643: the number's birth date (digits 7–14) and sex (digit 17: odd male, even female), or
     null while the number is incomplete or its check character is wrong. */
  function readIdNumber(value) {
    var n = (value || "").replace(/\s+/g, "").toUpperCase();
    if (!/^\d{17}[\dX]$/.test(n)) return null;
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(n.charAt(i), 10) * WEIGHTS[i];
    if (CHECK.charAt(sum % 11) !== n.charAt(17)) return null;
    var y = n.substr(6, 4), m = n.substr(10, 2), d = n.substr(12, 2);
    var date = new Date(Date.UTC(+y, +m - 1, +d));
    if (date.getUTCMonth() !== +m - 1 || date.getUTCDate() !== +d) return null;
    return { birthDate: y + "-" + m + "-" + d, gender: parseInt(n.charAt(16), 10) % 2 ? "male" : "female" };
  }

  /* The ID number fills the birth date and the sex (data-fills="prefix" names the fields' prefix). */
  function idNumberFills(input) {
    var form = input.form;
    var prefix = input.getAttribute("data-fills") || "";
    function fill() {
      var read = readIdNumber(input.value);
      if (!read) return;
      var born = form.querySelector('[name="' + prefix + 'birth_date"]');
      if (born && born.value !== read.birthDate) {
        born.value = read.birthDate;
        born.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var sex = form.querySelector('[name="' + prefix + 'gender"][value="' + read.gender + '"]');
      if (sex && !sex.checked) {
        sex.checked = true;
        sex.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var note = document.getElementById(input.id + "_filled");
      if (note) note.hidden = false;
    }
    input.addEventListener("input", fill);
    input.addEventListener("change", fill);
  }

  /* A township picker narrows long lists (villages, schools): data-narrows names the lists' ids, and
     each option of theirs carries data-township. A choice made before stays until another township
     is picked. */
  function narrowsByTownship(picker) {
    var targets = (picker.getAttribute("data-narrows") || "").split(" ")
      .map(function (id) { return document.getElementById(id); })
      .filter(function (el) { return !!el; });
    if (!targets.length) return;
    picker.hidden = false;
    var label = document.querySelector('label[for="' + picker.id + '"]');
    if (label) label.hidden = false;
    function narrow(event) {
      var township = picker.value;
      targets.forEach(function (target) {
        var chosen = target.options[target.selectedIndex];
        var chosenTownship = chosen ? chosen.getAttribute("data-township") : null;
        if (event && township && chosenTownship && chosenTownship !== township) {
          target.value = "";  // another township was chosen: its village (school) is no longer the one
        }
        Array.prototype.forEach.call(target.options, function (option) {
          var own = option.getAttribute("data-township");
          var keep = !township || !own || own === township || option.selected;
          option.hidden = !keep;
          option.disabled = !keep;
        });
      });
    }
    picker.addEventListener("change", narrow);
    var first = targets[0], chosen = first.options[first.selectedIndex];
    if (chosen && chosen.getAttribute("data-township") && !picker.value) {
      picker.value = chosen.getAttribute("data-township");
    }
    narrow(null);
  }

  /* A failed visit (没见到) saw nobody: "见到了谁" is unticked and, with the observations, does not
     apply; choosing "seen" again gives back the ticks that were there. */
  function failedVisitDisables(form) {
    var failed = (form.getAttribute("data-failed-outcomes") || "").split(" ");
    var parts = form.querySelectorAll("[data-needs-seen]");
    var seen = form.querySelectorAll('fieldset.seen input[type="checkbox"]');
    var wasOff = false;
    function update() {
      var chosen = form.querySelector('[name="outcome"]:checked');
      var off = !!chosen && failed.indexOf(chosen.value) !== -1;
      if (off !== wasOff) {
        Array.prototype.forEach.call(seen, function (box) {
          if (off) {
            box.setAttribute("data-was", box.checked ? "1" : "");
            box.checked = false;
          } else if (box.hasAttribute("data-was")) {
            box.checked = box.getAttribute("data-was") === "1";
            box.removeAttribute("data-was");
          }
        });
        wasOff = off;
      }
      Array.prototype.forEach.call(parts, function (part) {
        part.disabled = off;
        part.classList.toggle("off", off);
        part.setAttribute("aria-disabled", off ? "true" : "false");
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "outcome") update();
    });
    update();
  }

  /* A form whose answer takes a while (data-busy: what is being done): once sent, its button is
     disabled and busy (no second request from a second tap) and the message says what is happening. */
  function busyWhileSent(form) {
    form.addEventListener("submit", function () {
      var note = form.querySelector("p.busy");
      if (!note) {
        note = document.createElement("p");
        note.className = "notice busy";
        note.setAttribute("role", "status");
        form.appendChild(note);
      }
      note.textContent = form.getAttribute("data-busy");
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
        button.setAttribute("aria-busy", "true");
        window.setTimeout(function () { button.disabled = true; }, 0);  // after the form's values are taken
      });
    });
  }

  function ready() {
    document.documentElement.classList.add("js");
    Array.prototype.forEach.call(document.querySelectorAll("input[data-fills]"), idNumberFills);
    Array.prototype.forEach.call(document.querySelectorAll("select[data-narrows]"), narrowsByTownship);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-failed-outcomes]"), failedVisitDisables);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), busyWhileSent);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
