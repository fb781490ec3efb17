// Search, filter and sort for the review report's tables, with no library and
// nothing fetched. A <table class="filterable"> gets a search box (every
// word must occur in the row's text) and one <select> per header cell that
// has data-filter="NAME" (rows carry data-NAME); in it and in a
// <table class="sortable">, clicking a header cell sorts by that column
// (numbers as numbers, text in Chinese collation). Query
// parameters preselect: flags.html?document=ID&code=VALUE_BLANK&q=word.
(function () {
  "use strict";
  const params = new URLSearchParams(window.location.search);

  function sortKey(row, index) {
    const cell = row.cells[index];
    if (!cell) return "";
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  function compareNumbers(x, y) {
    if (x === y) return 0;
    if (x === "") return -1;  // blanks first, as NULLS FIRST
    if (y === "") return 1;
    return Number(x) - Number(y);
  }

  function makeSortable(th, index, heads, rows, body) {
    th.classList.add("sortable");
    th.tabIndex = 0;
    const sort = () => {
      const descending = th.getAttribute("aria-sort") === "ascending";
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const numeric = rows.every((r) => sortKey(r, index) === "" || !isNaN(Number(sortKey(r, index))));
      rows.sort((a, b) => {
        const x = sortKey(a, index), y = sortKey(b, index);
        const order = numeric ? compareNumbers(x, y) : x.localeCompare(y, "zh-CN", { numeric: true });
        return descending ? -order : order;
      });
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
  }

  function enhance(table) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const heads = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    heads.forEach((th, index) => makeSortable(th, index, heads, rows, body));
    if (!table.classList.contains("filterable")) return;
    const bar = document.createElement("div");
    bar.className = "controls";
    const search = document.createElement("input");
    search.type = "search";
    search.className = "search";
    search.placeholder = "搜索 / search";
    search.setAttribute("aria-label", "search");
    search.value = params.get("q") || "";
    bar.append(search);
    const selects = [];
    for (const th of heads) {
      const name = th.dataset.filter;
      if (!name) continue;
      const values = Array.from(new Set(rows.map((r) => r.dataset[name]).filter((v) => v)));
      values.sort((a, b) => a.localeCompare(b, "zh-CN", { numeric: true }));
      const select = document.createElement("select");
      select.className = "filter";
      select.name = name;
      select.setAttribute("aria-label", name);
      select.append(new Option(th.textContent.trim() + ": 全部 all", ""));
      for (const value of values) select.append(new Option(value, value));
      if (params.has(name) && values.includes(params.get(name))) select.value = params.get(name);
      selects.push(select);
      bar.append(select);
    }
    const count = document.createElement("span");
    count.className = "count";
    bar.append(count);
    table.before(bar);

    function apply() {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const row of rows) {
        const text = row.textContent.toLowerCase();
        const visible = words.every((w) => text.includes(w)) &&
          selects.every((s) => !s.value || row.dataset[s.name] === s.value);
        row.hidden = !visible;
        if (visible) shown += 1;
      }
      count.textContent = shown + " / " + rows.length;
    }

    search.addEventListener("input", apply);
    selects.forEach((s) => s.addEventListener("change", apply));
    apply();
  }

  document.querySelectorAll("table.filterable, table.sortable").forEach(enhance);
})();
