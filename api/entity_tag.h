// SPDX-License-Identifier: Apache-2.0
// Entity tags and conditional GETs: a poller (the CSI driver, Ansible's wait loops) sends back
// the ETag it last saw and gets an empty 304 while nothing changed.
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.h"

namespace daxd::api {

/// A strong entity tag for `body`, quoted: "\"<16 hex digits>\"". Made from the bytes, not from
/// a counter, so that a tag stays right across daxd restarts.
std::string entity_tag(std::string_view body);

/// Whether an If-None-Match header value ("*", or a list of tags, weak or strong) names `etag`.
/// Weak comparison, as RFC 9110 asks for If-None-Match.
bool none_match_hits(std::string_view if_none_match, std::string_view etag);

/// For a successful GET: adds the ETag header (unless the route set one) and, when the request's
/// If-None-Match names it, turns the answer into a 304 without a body. Other answers pass as
/// they are.
void answer_conditional_get(Request const& request, Response& response);

}  // namespace daxd::api
