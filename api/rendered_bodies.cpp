// SPDX-License-Identifier: Apache-2.0
#include "api/rendered_bodies.h"

#include <utility>

#include "api/entity_tag.h"

namespace daxd::api {

std::shared_ptr<RenderedBody const> RenderedBodies::get(std::string const& key,
                                                        std::uint64_t generation,
                                                        Render const& render) {
  {
    std::lock_guard const lock(mutex_);
    if (generation > generation_) {
      bodies_.clear();
      generation_ = generation;
    }
    if (generation == generation_) {
      if (auto const it = bodies_.find(key); it != bodies_.end()) return it->second;
    }
  }
  std::string body = render();
  std::string etag = entity_tag(body);
  auto rendered =
      std::make_shared<RenderedBody const>(RenderedBody{std::move(body), std::move(etag)});
  std::lock_guard const lock(mutex_);
  // A reader still holding an older view gets its body, but it is not kept.
  if (generation == generation_ && bodies_.size() < kMaxKeys) bodies_.emplace(key, rendered);
  return rendered;
}

}  // namespace daxd::api
