// The record form: after a refused save, the first field in error gets the focus (the page's
// alert has already been announced). Everything works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const invalid = document.querySelector("#record-form [aria-invalid=true]");
  if (invalid && !document.querySelector("dialog[open]")) invalid.focus();
});
