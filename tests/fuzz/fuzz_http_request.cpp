// SPDX-License-Identifier: Apache-2.0
// Raw bytes as an HTTP/1.1 request: Beast's parser with daxd's limits, then the router and every
// route over the real engine on the sim host, as an admin peer or a plain one.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/beast/http.hpp>

#include "api/request_handler.h"
#include "tests/fuzz/fuzz_env.h"

namespace http = boost::beast::http;

namespace {

// Answers may wait for operations; cap ?wait= so that one input cannot hold the fuzzer.
std::string capped_target(std::string target) {
  for (auto at = target.find("wait="); at != std::string::npos; at = target.find("wait=", at + 1)) {
    target.replace(at, 5, "w_it=");
  }
  return target;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size < 1) return 0;
  bool const admin = (data[0] & 1) != 0;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);  // the server's limits (api/session.h SessionLimits)
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data + 1, size - 1), ec);
  if (ec || !parser.is_done()) return 0;
  auto const& msg = parser.get();
  daxd::api::Request req;
  req.method = std::string(msg.method_string());
  req.target = capped_target(std::string(msg.target()));
  req.content_type = std::string(msg[http::field::content_type]);
  req.body = msg.body();
  req.version = msg.version();
  req.last_event_id = std::string(msg["Last-Event-ID"]);
  daxd::api::Peer peer;
  peer.uid = admin ? 0 : 1000;
  peer.gid = peer.uid;
  peer.pid = 1;
  peer.is_unix = true;
  peer.local_admin = admin;
  auto& e = daxd::fuzz::env();
  (void)daxd::api::may_block(req);
  auto const res = daxd::api::handle_request(req, peer, *e.services);
  // 500 means an unexpected error escaped a route: a bug, whatever the input.
  if (res.status < 100 || res.status > 599 || res.status == 500) __builtin_trap();
  return 0;
}
