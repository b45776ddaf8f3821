// leadgate process bar: a step is its column's field twice (in the bar and in the form's
// section); typing in one shows in the other, so what the person sees is what Save sends.
// Without this file the save keeps the copy the person changed.
"use strict";

(function () {
  function twins(field) {
    const form = document.getElementById("record-form");
    if (!form) return [];
    return Array.prototype.filter.call(form.elements, function (other) {
      return other !== field && other.name === field.name;
    });
  }

  function mirror(event) {
    const field = event.target;
    if (!field.name || !field.form || field.form.id !== "record-form") return;
    twins(field).forEach(function (other) {
      if (other.value !== field.value) other.value = field.value;
    });
  }

  document.addEventListener("input", mirror);
  document.addEventListener("change", mirror);
})();
