// The rows of the text tables of `report` and `diff`. A site is a whole stack, but a
// row shows only site_name() (its first frame, and its Java or first named caller):
// stacks that would print the same line are one row, as jeprof's and heaptrack's
// summaries merge them, with their totals added (their samples are independent, so
// variances add too). The JSON outputs keep each stack.
#ifndef HEAPDRIFT_ANALYZER_CLI_SITE_ROWS_H
#define HEAPDRIFT_ANALYZER_CLI_SITE_ROWS_H

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "frame.h"
#include "site_note.h"
#include "units.h"

namespace heapdrift::cli {

template <class Totals>
struct SiteRow {
  std::string name;
  Totals totals{};
  size_t stacks = 0;
  std::optional<std::string> note;  // site_note() of its first stack

  // "  (3 call paths)" for a row of several stacks, else nothing.
  std::string call_paths() const { return stacks > 1 ? "  (" + std::to_string(stacks) + " call paths)" : ""; }
};

// One row per distinct site_name of `items`, in order of first appearance; `frames_of`
// gives an item's frames, `add(totals, item)` adds an item to its row's totals.
template <class Totals, class Item, class FramesOf, class Add>
std::vector<SiteRow<Totals>> site_rows(const std::vector<Item>& items, const FrameTable& table, FramesOf frames_of,
                                       Add add) {
  std::vector<SiteRow<Totals>> rows;
  std::unordered_map<std::string, size_t> row_of;
  for (const Item& item : items) {
    std::string name = site_name(frames_of(item), table);
    auto [it, added] = row_of.try_emplace(name, rows.size());
    if (added) rows.push_back({std::move(name), Totals{}, 0, site_note(frames_of(item), table)});
    SiteRow<Totals>& row = rows[it->second];
    add(row.totals, item);
    ++row.stacks;
  }
  return rows;
}

// The notes of the first `shown` rows that have one, each once with the rows it is
// about, as a block to print under the table ("" when none has).
template <class Totals>
std::string row_notes(const std::vector<SiteRow<Totals>>& rows, size_t shown) {
  std::vector<std::pair<std::string, std::string>> notes;  // note, the rows' names
  for (size_t i = 0; i < rows.size() && i < shown; ++i) {
    if (!rows[i].note) continue;
    auto it = std::find_if(notes.begin(), notes.end(), [&](const auto& n) { return n.first == *rows[i].note; });
    if (it == notes.end()) notes.emplace_back(*rows[i].note, rows[i].name);
    else it->second += "; " + rows[i].name;
  }
  std::string text;
  for (const auto& [note, names] : notes) text += fold_text(names + ": " + note, "  ", "    ");
  return text.empty() ? text : "\nNotes on sites above\n" + text;
}

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_SITE_ROWS_H
