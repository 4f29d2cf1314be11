// "Copy link" buttons: shown only when this script runs; the link itself is always visible.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const result = button.parentElement.querySelector(".copy-result");
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      result.textContent = "Link copied.";
    } catch {
      field.focus();
      field.select();
      result.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
});
