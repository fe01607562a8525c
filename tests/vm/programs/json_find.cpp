// SPDX-License-Identifier: Apache-2.0
// Guest helper (busybox has no jq): finds objects anywhere in a JSON document and prints fields.
//
// Usage: json_find FILE [-w KEY[=VALUE]]... [-c] [FIELD...]
//   FILE   a JSON file, "-" for stdin; an empty file is a document with nothing in it
//   -w     keep objects that have KEY (and, with =VALUE, whose KEY is that string or number)
//   -c     print how many objects match (exit 0 even for none)
//   FIELD  a key or a JSON pointer ("/steps/0/state") of the first match, one line each
//          (strings unquoted); without FIELD the first match is printed as compact JSON
// Objects are visited depth first in document order, so "first" is the outermost, earliest one.
// Exit: 0 found, 1 no match or a FIELD is missing, 2 usage or unreadable JSON.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

struct Condition {
  std::string key;
  std::optional<std::string> value;
};

struct Query {
  std::string file;
  std::vector<Condition> conditions;
  std::vector<std::string> fields;
  bool count = false;
};

std::string text_of(json const& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool matches(json const& object, std::vector<Condition> const& conditions) {
  for (auto const& c : conditions) {
    auto const it = object.find(c.key);
    if (it == object.end()) return false;
    if (c.value && text_of(*it) != *c.value) return false;
  }
  return true;
}

void collect(json const& node, std::vector<Condition> const& conditions,
             std::vector<json const*>& out) {
  if (node.is_object() && matches(node, conditions)) out.push_back(&node);
  if (node.is_structured()) {
    for (auto const& child : node) collect(child, conditions, out);
  }
}

std::optional<Query> parse_args(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Query q;
  q.file = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string const arg = argv[i];
    if (arg == "-c") {
      q.count = true;
    } else if (arg == "-w" && i + 1 < argc) {
      std::string const cond = argv[++i];
      auto const eq = cond.find('=');
      if (eq == std::string::npos)
        q.conditions.push_back({cond, std::nullopt});
      else
        q.conditions.push_back({cond.substr(0, eq), cond.substr(eq + 1)});
    } else if (arg.rfind('-', 0) == 0) {
      return std::nullopt;
    } else {
      q.fields.push_back(arg);
    }
  }
  return q;
}

std::optional<std::string> read_all(std::string const& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json const* field_of(json const& object, std::string const& field) {
  if (field.rfind('/', 0) == 0) {
    json::json_pointer const ptr(field);  // a malformed pointer throws: caught in main
    return object.contains(ptr) ? &object.at(ptr) : nullptr;
  }
  auto const it = object.find(field);
  return it == object.end() ? nullptr : &*it;
}

int run(Query const& q) {
  auto const text = read_all(q.file);
  if (!text) return std::fprintf(stderr, "json_find: cannot read %s\n", q.file.c_str()), 2;
  json doc;  // an empty file (ndctl list with nothing to list) stays null
  if (text->find_first_not_of(" \t\r\n") != std::string::npos) {
    doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded())
      return std::fprintf(stderr, "json_find: %s is not JSON\n", q.file.c_str()), 2;
  }
  std::vector<json const*> found;
  collect(doc, q.conditions, found);
  if (q.count) return std::printf("%zu\n", found.size()), 0;
  if (found.empty()) return 1;
  if (q.fields.empty()) return std::printf("%s\n", found.front()->dump().c_str()), 0;
  for (auto const& f : q.fields) {
    json const* v = field_of(*found.front(), f);
    if (v == nullptr) return std::fprintf(stderr, "json_find: no field %s\n", f.c_str()), 1;
    std::printf("%s\n", text_of(*v).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto const q = parse_args(argc, argv);
  if (!q) {
    std::fprintf(stderr, "usage: json_find FILE [-w KEY[=VALUE]]... [-c] [FIELD...]\n");
    return 2;
  }
  try {
    return run(*q);
  } catch (json::exception const& e) {  // a malformed JSON pointer given as FIELD
    return std::fprintf(stderr, "json_find: %s\n", e.what()), 2;
  }
}
