// accord's web UI: what a page needs beyond HTML. Every page works without it.
"use strict";

// A search box with data-filter="ID" hides the rows of table ID that do not hold every word.
for (const input of document.querySelectorAll("input[data-filter]")) {
  const table = document.getElementById(input.dataset.filter);
  if (!table) continue;
  const rows = [...table.tBodies[0].rows];
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "filter-status";
  table.before(status);
  const filter = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const text = row.textContent.toLowerCase();
      row.hidden = !words.every((w) => text.includes(w));
      if (!row.hidden) shown += 1;
    }
    status.textContent = words.length ? `${shown} of ${rows.length} shown` : "";
  };
  input.addEventListener("input", filter);
}

// A file input with data-into="ID" reads the chosen file into textarea ID.
for (const input of document.querySelectorAll("input[type=file][data-into]")) {
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (file) document.getElementById(input.dataset.into).value = await file.text();
  });
}
