// SPDX-License-Identifier: Apache-2.0
// A hand-written serializer because neither nlohmann's dump() nor any option of it matches
// json-c's layout (it puts a space after ':' and never escapes '/'), and ndctl users diff output.
#include "cli/json_print.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace daxd::cli {
namespace {

using nlohmann::ordered_json;

void indent(std::string& out, int level) { out.append(static_cast<std::size_t>(level) * 2, ' '); }

// json-c's json_escape_str: the usual escapes, '/' too, other control characters as \u00XX.
void append_string(std::string& out, std::string const& s) {
  out += '"';
  // Runs without anything to escape, which is nearly every string, go in one append.
  auto const plain = [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\' && c != '/';
  };
  auto const run = std::find_if_not(s.begin(), s.end(), plain);
  out.append(s.begin(), run);
  for (char const c : std::string_view(s).substr(static_cast<std::size_t>(run - s.begin()))) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
          out += buf.data();
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_value(std::string& out, ordered_json const& v, int level);

void append_object(std::string& out, ordered_json const& v, int level) {
  out += '{';
  bool had_children = false;
  for (auto const& [key, child] : v.items()) {
    if (had_children) out += ',';
    out += '\n';
    had_children = true;
    indent(out, level + 1);
    append_string(out, key);
    out += ':';
    append_value(out, child, level + 1);
  }
  if (had_children) {
    out += '\n';
    indent(out, level);
  }
  out += '}';
}

void append_array(std::string& out, ordered_json const& v, int level) {
  out += '[';
  bool had_children = false;
  for (auto const& child : v) {
    if (had_children) out += ',';
    out += '\n';
    had_children = true;
    indent(out, level + 1);
    append_value(out, child, level + 1);
  }
  if (had_children) {
    out += '\n';
    indent(out, level);
  }
  out += ']';
}

void append_value(std::string& out, ordered_json const& v, int level) {
  switch (v.type()) {
    case ordered_json::value_t::object:
      append_object(out, v, level);
      return;
    case ordered_json::value_t::array:
      append_array(out, v, level);
      return;
    case ordered_json::value_t::string:
      append_string(out, v.get_ref<std::string const&>());
      return;
    case ordered_json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case ordered_json::value_t::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      return;
    case ordered_json::value_t::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      return;
    case ordered_json::value_t::number_float:
      out += v.dump();
      return;
    case ordered_json::value_t::null:
    case ordered_json::value_t::discarded:
    case ordered_json::value_t::binary:
      out += "null";
      return;
  }
  out += "null";
}

}  // namespace

std::string to_ndctl_json(ordered_json const& value) {
  std::string out;
  out.reserve(4096);
  append_value(out, value, 0);
  return out;
}

}  // namespace daxd::cli
