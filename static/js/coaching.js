// Progressive enhancement for coaching pages: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Buttons that carry data-confirm (submit a self-assessment, share a review) ask first.
  document.querySelectorAll("button[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
});
