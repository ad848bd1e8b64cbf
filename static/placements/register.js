// Progressive enhancement for the syndicate register: one tap saves without a page reload, and a
// tap made while offline is kept in localStorage and sent again when the phone is back online.
(function () {
  "use strict";
  var KEY = "register-queue:" + window.location.pathname;
  var status = document.getElementById("register-status");

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function save(queue) {
    try { window.localStorage.setItem(KEY, JSON.stringify(queue)); } catch (e) { /* private mode: no queue */ }
  }
  function announce(text) { if (status) { status.textContent = text; } }
  function badge(placement, text, state) {
    var row = document.querySelector('[data-placement="' + placement + '"] .register-mark');
    if (!row) { return; }
    row.textContent = text;
    row.className = "badge register-mark " + ({present: "text-bg-success", late: "text-bg-warning", absent: "text-bg-danger"}[state] || "text-bg-secondary");
  }
  function send(action, fields) {
    var body = new URLSearchParams(fields);
    return window.fetch(action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Accept": "application/json", "X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    });
  }
  function flush() {
    var queue = load();
    Object.keys(queue).forEach(function (key) {
      var item = queue[key];
      send(item.action, item.fields).then(function (result) {
        var current = load();
        delete current[key];
        save(current);
        if (result.ok) { badge(result.data.placement, result.data.label, result.data.status); }
      }).catch(function () { /* still offline: keep it */ });
    });
  }
  document.querySelectorAll("form.register-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) { return; }
      event.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (value, name) { fields[name] = value; });
      fields.status = button.value;
      var key = fields.placement + ":" + fields.day;
      badge(fields.placement, "Saving…", "");
      send(form.action, fields).then(function (result) {
        if (result.ok) {
          badge(result.data.placement, result.data.label, result.data.status);
          announce("Saved: " + result.data.label);
        } else {
          badge(fields.placement, result.data.error || "Not saved", "");
          announce(result.data.error || "Not saved");
        }
      }).catch(function () {
        var queue = load();
        queue[key] = {action: form.action, fields: fields};
        save(queue);
        badge(fields.placement, "Offline: will send", "");
        announce("Offline: the mark is kept and sent when you are back online.");
      });
    });
  });
  window.addEventListener("online", flush);
  flush();
})();
