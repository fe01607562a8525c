// SPDX-License-Identifier: Apache-2.0
// Table layout: widths are computed over header and cells; empty cells show "-".
#include "cli/table.h"

#include <algorithm>

namespace daxd::cli {

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) {
    // assign(count, char), not = "-": GCC 12 at -O2 reports a bogus -Wrestrict on the latter.
    if (c.empty()) c.assign(1, '-');
  }
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    width[i] = headers_[i].size();
    for (auto const& row : rows_) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  auto const line = [&](std::vector<std::string> const& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text.append(width[i] - cells[i].size() + 2, ' ');
    }
    out += text + "\n";
  };
  line(headers_);
  for (auto const& row : rows_) line(row);
  return out;
}

}  // namespace daxd::cli
