// leadgate grids: select-all, and bulk commands with progress. Without this file the bulk
// form posts every selected row at once and the server renders the summary; with it, rows are
// posted one at a time (Accept: application/json) so a long selection shows how far it is.
// A selection larger than a command's data-job-above is posted whole: the server runs it as a
// system job and opens the job's page.
"use strict";

(function () {
  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function rowBoxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=ids]"));
  }

  function syncSelectAll(form) {
    const all = form.querySelector(".select-all");
    if (!all) return;
    const boxes = rowBoxes(form);
    const checked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = boxes.length > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  function summary(form, command, results) {
    const done = results.filter(function (r) { return r.ok; }).length;
    const refused = results.filter(function (r) { return !r.ok; });
    const one = form.dataset["done" + cap(command) + "One"];
    const many = form.dataset["done" + cap(command) + "Many"];
    // As the server renders it: what went through, then what was refused, each in its own
    // colour and sign.
    const box = document.createElement("div");
    box.className = "bulk-summary";
    box.setAttribute("role", "alert");
    box.id = "bulk-summary";
    box.appendChild(alert(done ? "alert-success" : "alert-info", done ? "✓" : "ℹ",
      format(done === 1 ? one : many, { count: done })));
    if (refused.length) {
      const part = alert("alert-error", "⚠", form.dataset.refusedText);
      const list = document.createElement("ul");
      list.className = "refusals";
      refused.forEach(function (r) {
        const item = document.createElement("li");
        const name = document.createElement("strong");
        name.textContent = r.name || r.id;
        const code = document.createElement("code");
        code.textContent = r.code;
        item.appendChild(name);
        item.appendChild(document.createTextNode(" — "));
        item.appendChild(code);
        item.appendChild(document.createTextNode(" " + r.message));
        list.appendChild(item);
      });
      part.appendChild(list);
      box.appendChild(part);
    }
    return box;
  }

  function alert(kind, sign, text) {
    const part = document.createElement("div");
    part.className = "alert " + kind;
    const title = document.createElement("p");
    title.className = "alert-title";
    const icon = document.createElement("span");
    icon.className = "icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = sign;
    title.appendChild(icon);
    title.appendChild(document.createTextNode(" " + text));
    part.appendChild(title);
    return part;
  }

  function cap(name) {
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  async function runBulk(form, button) {
    const boxes = rowBoxes(form).filter(function (box) { return box.checked; });
    const command = button.dataset.command;
    const action = button.getAttribute("formaction");
    const base = new FormData(form);
    base.delete("ids");
    const progress = form.querySelector(".bulk-progress");
    const bar = progress.querySelector("progress");
    const status = progress.querySelector(".bulk-progress-text");
    const buttons = form.querySelectorAll("button[data-command]");
    buttons.forEach(function (b) { b.disabled = true; });
    const old = document.getElementById("bulk-summary");
    if (old) old.remove();
    progress.hidden = false;
    bar.max = boxes.length;
    bar.value = 0;
    status.textContent = format(form.dataset.progressText, { done: 0, total: boxes.length });
    const results = [];
    for (let i = 0; i < boxes.length; i++) {
      const body = new URLSearchParams(base);
      body.append("ids", boxes[i].value);
      let result;
      try {
        const response = await fetch(action, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "Accept": "application/json" },
        });
        result = await response.json();
        if (Array.isArray(result)) result = result[0] || { id: boxes[i].value, ok: true };
      } catch (failure) {
        result = { id: boxes[i].value, ok: false, code: "", message: String(failure) };
      }
      if (!result.ok && !result.name) result.name = boxes[i].dataset.name;
      results.push(result);
      bar.value = i + 1;
      status.textContent = format(form.dataset.progressText, { done: i + 1, total: boxes.length });
    }
    // The rows changed (a qualified lead leaves My Open Leads): load the grid again, then
    // show the summary above it.
    const page = await fetch(window.location.href, { credentials: "same-origin" });
    const html = await page.text();
    const fresh = new DOMParser().parseFromString(html, "text/html");
    const main = document.getElementById("main");
    const freshMain = fresh.getElementById("main");
    if (freshMain) {
      main.innerHTML = freshMain.innerHTML;
      // The finished progress stays on the page ("40 of 40"), above the summary.
      const blank = main.querySelector(".bulk-progress");
      if (blank) blank.replaceWith(progress);
      enhance(main, true);
    } else {
      buttons.forEach(function (b) { b.disabled = false; });
      progress.hidden = true;
    }
    const newForm = main.querySelector("form.bulk-form") || form;
    const heading = main.querySelector("h1");
    const box = summary(newForm, command, results);
    if (heading) heading.after(box); else main.prepend(box);
    return true;
  }

  function enhance(root, again) {
    root.querySelectorAll("form.bulk-form").forEach(function (form) {
      const all = form.querySelector(".select-all");
      if (all) {
        all.addEventListener("change", function () {
          rowBoxes(form).forEach(function (box) { box.checked = all.checked; });
        });
      }
      form.addEventListener("change", function (event) {
        if (event.target.name === "ids") syncSelectAll(form);
      });
      form.addEventListener("submit", function (event) {
        const button = event.submitter;
        if (!button || !button.dataset.command || !window.fetch) return;
        const checked = rowBoxes(form).filter(function (box) { return box.checked; }).length;
        if (!checked) return;
        // A large selection is the server's: it queues a system job and opens its page.
        if (button.dataset.jobAbove && checked > parseInt(button.dataset.jobAbove, 10)) return;
        event.preventDefault();
        runBulk(form, button);
      });
    });
    if (!again) return;  // app.js already made the first page's controls submit on change
    root.querySelectorAll("[data-autosubmit]").forEach(function (control) {
      control.addEventListener("change", function () { control.form.requestSubmit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document, false); });
})();
