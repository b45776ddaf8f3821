// leadgate: progressive enhancement. Every action works without this file (plain links and
// form posts); with it, dialogs open in place as modal dialogs and focus returns after.
"use strict";

(function () {
  function focusFirst(dialog) {
    const target = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button");
    if (target) target.focus();
  }

  function openModal(dialog, opener) {
    // A dialog the server rendered open is closed first to reopen it modal; that close event
    // comes later, so the listener waits for a close that leaves the dialog closed.
    if (dialog.open) dialog.close();
    dialog.showModal();
    focusFirst(dialog);
    dialog.addEventListener("close", function returnFocus() {
      if (dialog.open) return;
      dialog.removeEventListener("close", returnFocus);
      if (opener && document.contains(opener)) opener.focus();
    });
  }

  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        openModal(dialog, opener);
      }
      return;
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      const dialog = closer.closest("dialog");
      if (dialog && dialog.dataset.closeHref === undefined) {
        event.preventDefault();
        dialog.close();
      }
    }
  });

  // A button that asks first (data-confirm: "Qualify all 1,200 leads of this view?"). Without
  // this file it does not ask; its page says what it did and the job can be canceled there.
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A command's dialog opened in place posts what the person changed in the record's form
  // too (saved before the command, as the command bar's buttons do): copies of its fields.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const record = document.getElementById("record-form");
    if (!form.hasAttribute("data-posts-record-form") || !record) return;
    form.querySelectorAll("input[data-copied]").forEach(function (copy) { copy.remove(); });
    new FormData(record).forEach(function (value, name) {
      if (name === "csrf_token" || typeof value !== "string") return;
      const copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = name;
      copy.value = value;
      copy.dataset.copied = "";
      form.appendChild(copy);
    });
  });

  // A dialog the server rendered open (after a post, or a link without JavaScript) becomes
  // modal: the rest of the page is inert until it is answered.
  document.addEventListener("DOMContentLoaded", function () {
    // A page that answers a post (a refusal, the Duplicate warning) takes its own address, so
    // that reloading it, or coming back to it, reads the page and posts nothing again.
    const address = document.body.dataset.address;
    if (address && window.history && history.replaceState) {
      history.replaceState(null, "", address + window.location.hash);
    }
    document.querySelectorAll("dialog[open][data-modal]").forEach(function (dialog) {
      const opener = dialog.dataset.opener ? document.getElementById(dialog.dataset.opener) : null;
      openModal(dialog, opener);
    });
    document.querySelectorAll("[data-autosubmit]").forEach(function (control) {
      control.addEventListener("change", function () { control.form.requestSubmit(); });
    });
  });
})();
