// The record form: after a refused save, the first field in error gets the focus (the page's
// alert has already been announced). Before posting, every empty required field is marked at
// once, with the browser's own message, and nothing is sent; the server says the same with its
// coded error when this file does not run. Everything works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("record-form");
  const invalid = document.querySelector("#record-form [aria-invalid=true]");
  if (invalid && !document.querySelector("dialog[open]")) invalid.focus();
  if (!form) return;

  function message(field) {
    const box = field.closest(".field");
    if (!box) return null;
    let note = box.querySelector(".field-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.id = "error-" + field.name;
      box.appendChild(note);
    }
    return note;
  }

  function mark(field) {
    const note = message(field);
    field.setAttribute("aria-invalid", "true");
    if (!note) return;
    note.textContent = field.validationMessage;
    field.setAttribute("aria-describedby", note.id);
    field.closest(".field").classList.add("has-error");
  }

  // The form is novalidate (the browser's own checks of e-mail and web addresses would refuse
  // values the platform accepts): only a required field left empty stops the post here.
  form.addEventListener("submit", function (event) {
    const empty = Array.prototype.filter.call(form.elements, function (field) {
      return field.required && field.validity && field.validity.valueMissing;
    });
    if (empty.length === 0) return;
    event.preventDefault();
    empty.forEach(mark);
    empty[0].focus();
  });

  form.addEventListener("input", function (event) {
    const field = event.target;
    if (!field.required || field.validity.valueMissing) return;
    field.removeAttribute("aria-invalid");
  });
});
