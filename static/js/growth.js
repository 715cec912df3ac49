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
  labelTableCells();
  // A double-clicked submit sends one request (the server also refuses duplicates).
  document.querySelectorAll("form[method='post']").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type='submit']").forEach((button) => {
        window.setTimeout(() => { button.disabled = true; }, 0);
      });
    });
  });
});

// On a phone a wide table becomes one card per row: each cell is labelled with its column's
// header (its group's header first), so the CSS can show the label beside the value.
function labelTableCells() {
  document.querySelectorAll("table.data").forEach((table) => {
    const headerRows = table.tHead ? Array.from(table.tHead.rows) : [];
    const grid = [];  // grid[row][column]: the header cell covering that slot
    headerRows.forEach((row, r) => {
      grid[r] = grid[r] || [];
      let column = 0;
      Array.from(row.cells).forEach((cell) => {
        while (grid[r][column]) column += 1;
        for (let dr = 0; dr < cell.rowSpan; dr += 1) {
          grid[r + dr] = grid[r + dr] || [];
          for (let dc = 0; dc < cell.colSpan; dc += 1) grid[r + dr][column + dc] = cell;
        }
        column += cell.colSpan;
      });
    });
    const width = Math.max(0, ...grid.map((row) => row.length));
    if (width < 4) return;  // narrow tables fit a phone as they are
    const visibleText = (cell) => {
      const copy = cell.cloneNode(true);
      copy.querySelectorAll(".visually-hidden").forEach((hidden) => hidden.remove());
      return copy.textContent.replace(/\s+/g, " ").trim();
    };
    const labels = [];
    for (let column = 0; column < width; column += 1) {
      const parts = [];
      grid.forEach((row) => {
        const cell = row[column];
        if (cell && !parts.includes(cell)) parts.push(cell);
      });
      labels.push(parts.map(visibleText).filter(Boolean).join(" · "));
    }
    const bodies = [...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])];
    bodies.forEach((body) => {
      Array.from(body.rows).forEach((row) => {
        let column = 0;
        Array.from(row.cells).forEach((cell) => {
          if (cell.tagName === "TD" && !cell.textContent.trim() && !cell.querySelector("input, img, svg")) {
            cell.dataset.empty = "";  // nothing to show on a card
          } else if (cell.colSpan === 1 && labels[column] && cell.tagName === "TD") {
            cell.dataset.label = labels[column];
          }
          column += cell.colSpan;
        });
      });
    });
    table.classList.add("stackable");
  });
}
