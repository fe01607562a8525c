// SPDX-License-Identifier: Apache-2.0
// Aligned text tables for --human output.
#pragma once

#include <string>
#include <vector>

namespace daxd::cli {

/// Left-aligned columns separated by two spaces, header first, no trailing blanks.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);  // missing cells print as "-"
  std::size_t rows() const { return rows_.size(); }
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace daxd::cli
