// leadgate System Jobs: a running job's page follows it. Without this file the page reloads
// itself every few seconds (<noscript> refresh) and has a Refresh link; with it, the page asks
// the job's progress (JSON) every second or two, moves the bar, and reloads once the job is
// over to show its results.
"use strict";

(function () {
  function followJob(card) {
    const url = card.dataset.poll;
    const every = parseInt(card.dataset.pollMs, 10) || 1500;
    const bar = document.getElementById("job-progress");
    const fill = bar ? bar.querySelector(".job-bar-fill") : null;
    const percent = bar ? bar.parentElement.querySelector(".job-percent") : null;
    const status = document.getElementById("job-status");
    const live = document.getElementById("job-live");

    async function poll() {
      let answer;
      try {
        const response = await fetch(url, {
          credentials: "same-origin", headers: { "Accept": "application/json" },
        });
        if (!response.ok || !(response.headers.get("content-type") || "").includes("json")) {
          return;  // signed out, or the job is gone: the Refresh link says what happened
        }
        answer = await response.json();
      } catch (failure) {
        window.setTimeout(poll, every * 2);  // the server is away: try again a little later
        return;
      }
      if (bar) {
        bar.setAttribute("aria-valuenow", String(answer.progress));
        if (fill) fill.style.width = answer.progress + "%";
        if (percent) percent.textContent = answer.progress_text;
      }
      if (status && status.textContent !== answer.status_label) {
        status.textContent = answer.status_label;
        if (live) live.textContent = answer.status_label;
      }
      if (!answer.running) {
        window.location.reload();  // over: the page shows the results and what applies now
        return;
      }
      window.setTimeout(poll, every);
    }
    window.setTimeout(poll, every);
  }

  function followList(box) {
    async function poll() {
      let fresh;
      try {
        const response = await fetch(box.dataset.live, { credentials: "same-origin" });
        if (!response.ok) return;
        const html = await response.text();
        fresh = new DOMParser().parseFromString(html, "text/html").getElementById("jobs-list");
      } catch (failure) {
        return;
      }
      if (!fresh) return;
      box.innerHTML = fresh.innerHTML;
      if (fresh.dataset.live) window.setTimeout(poll, 2000);
      else box.removeAttribute("data-live");
    }
    window.setTimeout(poll, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(followJob);
    document.querySelectorAll("[data-live]").forEach(followList);
  });
})();
