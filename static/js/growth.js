// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive buttons that carry data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Before an idle session ends, say so: a form sent after it would be lost.
  const notice = document.querySelector(".session-notice[data-show-after]");
  if (notice) {
    const seconds = Number(notice.dataset.showAfter);
    if (seconds > 0) window.setTimeout(() => { notice.hidden = false; }, seconds * 1000);
  }
  // A double-clicked submit sends one request (the server also refuses duplicates).
  document.querySelectorAll("form[method='post']").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type='submit']").forEach((button) => {
        window.setTimeout(() => { button.disabled = true; }, 0);
      });
    });
  });
});
