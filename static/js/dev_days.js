// Progressive enhancement for the week page: the form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".quick-log").forEach((form) => {
    const minutes = form.querySelector("input[name='minutes']");
    const picks = form.querySelector(".quick-picks");
    if (!minutes || !picks) return;
    const buttons = picks.querySelectorAll("button[data-minutes]");
    const mark = () => {
      buttons.forEach((button) => {
        button.setAttribute("aria-pressed", String(button.dataset.minutes === minutes.value));
      });
    };
    buttons.forEach((button) => {
      button.addEventListener("click", () => {
        minutes.value = button.dataset.minutes;
        mark();
        minutes.focus();
      });
    });
    minutes.addEventListener("input", mark);
    picks.hidden = false;
    mark();
  });
});
