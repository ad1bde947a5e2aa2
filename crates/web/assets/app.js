// Sanbao's own small script: confirmations on destructive forms, keyboard shortcuts.
(function () {
  "use strict";
  // Forms with data-confirm ask before submitting.
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    var msg = f && f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  }, true);
  // "/" focuses the first search or filter field on the page (unless typing already).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    var field = document.querySelector("form.filters input, form.filters select");
    if (field) {
      ev.preventDefault();
      field.focus();
    }
  });
})();
// A file input with data-fill="ID" reads the chosen text file into the textarea ID (so imports
// post as an ordinary form, CSRF token included).
document.addEventListener("change", function (ev) {
  var input = ev.target;
  var target = input && input.getAttribute && input.getAttribute("data-fill");
  if (!target || !input.files || !input.files[0]) return;
  var reader = new FileReader();
  reader.onload = function () {
    var area = document.getElementById(target);
    if (area) area.value = String(reader.result || "");
  };
  reader.readAsText(input.files[0], "utf-8");
});
// Intake: show the 12315 field only for regulator transfers; look customers up by phone.
(function () {
  var channel = document.getElementById("channel");
  function showFor() {
    document.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.style.display = channel && channel.value === el.getAttribute("data-show-for") ? "" : "none";
    });
  }
  if (channel) {
    channel.addEventListener("change", showFor);
    showFor();
  }
  // A return's reason and proof, a repair's first day of the fault: shown for their kind.
  var kind = document.getElementById("kind");
  function showKind() {
    document.querySelectorAll("[data-show-kind]").forEach(function (el) {
      var on = kind && el.getAttribute("data-show-kind").split(" ").indexOf(kind.value) >= 0;
      el.style.display = on ? "" : "none";
    });
  }
  if (kind) {
    kind.addEventListener("change", showKind);
    showKind();
  }
  var phone = document.getElementById("customer_phone");
  var list = document.getElementById("phone-matches");
  var name = document.getElementById("customer_name");
  if (!phone || !list) return;
  var timer = null;
  // Before saving: the customer's open cases of the kind chosen, each linked where the agent
  // may open it.
  var kind = document.getElementById("kind");
  var dups = document.getElementById("intake-dups");
  var dupTimer = null;
  function checkDups() {
    clearTimeout(dupTimer);
    var v = phone.value.replace(/\D/g, "");
    if (!dups || !kind) return;
    if (v.length < 7) { dups.hidden = true; return; }
    dupTimer = setTimeout(function () {
      var q = "phone=" + encodeURIComponent(v) + "&kind=" + encodeURIComponent(kind.value);
      fetch("/cases/customers/open?" + q, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          var ul = dups.querySelector("ul");
          ul.innerHTML = "";
          rows.forEach(function (c) {
            var li = document.createElement("li");
            if (c.subject !== null) {
              var a = document.createElement("a");
              a.href = "/cases/" + encodeURIComponent(c.number);
              a.target = "_blank";
              a.textContent = c.number;
              li.appendChild(a);
              li.appendChild(document.createTextNode(" " + c.subject + " · " + c.received));
            } else {
              li.textContent = c.number + " · " + c.received + " · " + dups.getAttribute("data-private");
            }
            ul.appendChild(li);
          });
          dups.hidden = rows.length === 0;
        })
        .catch(function () {});
    }, 250);
  }
  if (kind) kind.addEventListener("change", checkDups);
  phone.addEventListener("change", checkDups);
  checkDups();
  // What a found customer fills in: the name, and for an organisation its kind and credit
  // code (the phone typed stays: a new phone becomes one of the organisation's contacts).
  var ckind = document.querySelector("select[name=customer_kind]");
  var code = document.querySelector("input[name=customer_credit_code]");
  var contact = document.querySelector("input[name=customer_contact]");
  function fill(c) {
    if (name && !name.value) name.value = c.name;
    if (ckind) ckind.value = c.kind;
    if (code && !code.value && c.credit_code) code.value = c.credit_code;
    if (contact && !contact.value && c.contact) contact.value = c.contact;
    if (ckind) ckind.dispatchEvent(new Event("change"));
  }
  function lookup(q, then) {
    fetch("/cases/customers?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(then)
      .catch(function () {});
  }
  phone.addEventListener("input", function () {
    checkDups();
    clearTimeout(timer);
    var v = phone.value.replace(/\D/g, "");
    if (v.length < 3) return;
    timer = setTimeout(function () {
      lookup(v, function (rows) {
        list.innerHTML = "";
        rows.forEach(function (c) {
          var o = document.createElement("option");
          o.value = c.phone;
          o.label = c.name;
          list.appendChild(o);
        });
        // A whole number that belongs to one customer: theirs.
        if (rows.length === 1 && v.length >= 7 && rows[0].exact) fill(rows[0]);
      });
    }, 200);
  });
  // Finding an organisation by its name or credit code (a caller from a known company).
  var org = document.getElementById("customer_lookup");
  var orgList = document.getElementById("customer-matches");
  var orgs = {};
  var orgTimer = null;
  if (org && orgList) {
    org.addEventListener("input", function () {
      var v = org.value.trim();
      if (orgs[v]) { fill(orgs[v]); return; }
      clearTimeout(orgTimer);
      if (v.length < 2) return;
      orgTimer = setTimeout(function () {
        lookup(v, function (rows) {
          orgList.innerHTML = "";
          rows.forEach(function (c) {
            orgs[c.name] = c;
            var o = document.createElement("option");
            o.value = c.name;
            o.label = (c.credit_code || "") + " " + c.phone;
            orgList.appendChild(o);
          });
          if (orgs[org.value.trim()]) fill(orgs[org.value.trim()]);
        });
      }, 200);
    });
  }
})();
// "Back" links go back in the browser's history when there is one (no inline script).
document.addEventListener("click", function (ev) {
  var a = ev.target && ev.target.closest && ev.target.closest("a[data-back]");
  if (a && window.history.length > 1) {
    ev.preventDefault();
    window.history.back();
  }
});
// A checkbox with data-select-all="NAME" ticks or clears every checkbox NAME of its form, and
// shows "some" when only some are ticked.
document.addEventListener("change", function (ev) {
  var box = ev.target;
  if (!box || !box.form || box.type !== "checkbox") return;
  var all = box.getAttribute("data-select-all");
  if (all) {
    box.form.querySelectorAll('input[type=checkbox][name="' + all + '"]').forEach(function (b) {
      b.checked = box.checked;
    });
    return;
  }
  var head = box.form.querySelector('[data-select-all="' + box.name + '"]');
  if (!head) return;
  var boxes = Array.prototype.slice.call(box.form.querySelectorAll('input[type=checkbox][name="' + box.name + '"]'));
  var ticked = boxes.filter(function (b) { return b.checked; }).length;
  head.checked = ticked === boxes.length;
  head.indeterminate = ticked > 0 && ticked < boxes.length;
});
// Folded sections (the case filters) stay open on wide screens; on a phone they open on demand.
(function () {
  if (!window.matchMedia || !window.matchMedia("(min-width: 721px)").matches) return;
  document.querySelectorAll("details[data-fold]").forEach(function (d) { d.open = true; });
})();
// The technician's repair report: the customer signs on the canvas with a finger or the
// mouse; on submit the drawing goes with the form as a PNG file (the report is refused
// unsigned).
(function () {
  "use strict";
  var pad = document.getElementById("signature-pad");
  var form = document.getElementById("report-form");
  var file = document.getElementById("signature-file");
  if (!pad || !form || !file) return;
  var ctx = pad.getContext("2d");
  var drawn = false;
  var last = null;
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#111";
  function at(ev) {
    var r = pad.getBoundingClientRect();
    return { x: (ev.clientX - r.left) * pad.width / r.width, y: (ev.clientY - r.top) * pad.height / r.height };
  }
  pad.addEventListener("pointerdown", function (ev) {
    pad.setPointerCapture(ev.pointerId);
    last = at(ev);
  });
  pad.addEventListener("pointermove", function (ev) {
    if (!last) return;
    var p = at(ev);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  function up() { last = null; }
  pad.addEventListener("pointerup", up);
  pad.addEventListener("pointercancel", up);
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, pad.width, pad.height);
    drawn = false;
  });
  form.addEventListener("submit", function (ev) {
    if (file.files && file.files.length) return;
    ev.preventDefault();
    if (!drawn) {
      pad.classList.add("invalid");
      pad.scrollIntoView({ block: "center" });
      return;
    }
    pad.toBlob(function (blob) {
      var dt = new DataTransfer();
      dt.items.add(new File([blob], "signature.png", { type: "image/png" }));
      file.files = dt.files;
      form.submit();
    }, "image/png");
  });
})();
// A button with data-print prints the page (the repair report).
document.addEventListener("click", function (ev) {
  var b = ev.target && ev.target.closest && ev.target.closest("[data-print]");
  if (b) window.print();
});
