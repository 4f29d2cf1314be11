// The batch PDF's progress bar: polls the batch's progress while the PDF is being made, then
// reloads the page (which then offers the download).
const box = document.getElementById("pdf-progress");
if (box && !box.hidden) {
  const bar = document.getElementById("pdf-bar");
  const count = document.getElementById("pdf-count");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const state = await response.json();
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
      count.textContent = `${state.done} of ${state.total} pieces`;
      if (state.state !== "rendering") {
        window.location.reload();
        return;
      }
    } catch {
      // A missed poll is retried on the next tick.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
}
