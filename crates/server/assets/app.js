// concord's page works without this script. With it, changing a fact in the what-if panel
// shows the result at once instead of waiting for the button.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("what-if");
  if (!form) return;
  form.querySelectorAll("select, input[type=date]").forEach((field) => {
    field.addEventListener("change", () => form.requestSubmit());
  });
});
