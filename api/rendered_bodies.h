// SPDX-License-Identifier: Apache-2.0
// The list routes' JSON, rendered once per inventory view. A view never changes once published,
// so neither does its JSON; rendering it again for every GET was most of what such a GET cost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace daxd::api {

/// One rendered body and its entity tag.
struct RenderedBody {
  std::string body;
  std::string etag;
};

class RenderedBodies {
 public:
  using Render = std::function<std::string()>;

  /// The body for `key` (a route and its filters) rendered from the view of `generation`: the kept
  /// one when it came from that view, else render() run now, outside the lock, and kept. A
  /// newer generation drops every body of the older one. Thread-safe.
  std::shared_ptr<RenderedBody const> get(std::string const& key, std::uint64_t generation,
                                          Render const& render);

 private:
  /// Filtered lists are kept per filter too; past this many keys a view's bodies are rendered
  /// per request, so that odd filter values cannot grow the map.
  static constexpr std::size_t kMaxKeys = 32;

  std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, std::shared_ptr<RenderedBody const>> bodies_;
};

}  // namespace daxd::api
