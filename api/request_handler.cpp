// SPDX-License-Identifier: Apache-2.0
// Authorisation before routing, then the route, then metrics and the audit record.
#include "api/request_handler.h"

#include <optional>
#include <string>

#include "api/entity_tag.h"
#include "api/problem.h"
#include "api/routes.h"
#include "api/tls.h"

namespace daxd::api {

namespace {

constexpr std::size_t kAuditBodyExcerpt = 256;

/// TCP peers must present the bearer token (it is an admin credential: the file is root's and
/// 0600), for reads and mutations alike. Over the unix socket, mutations need a peer that is
/// root or in the admin group.
std::optional<Response> refuse_unauthorised(Request const& request, Peer const& peer,
                                            Services const& services) {
  if (!peer.is_unix) {
    if (bearer_matches(request.authorization, services.bearer_token)) return std::nullopt;
    Response res = protocol_problem(401, "unauthenticated", "Unauthenticated",
                                    request.authorization.empty()
                                        ? "tcp requests need an Authorization: Bearer token"
                                        : "the bearer token is not valid");
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"daxd\"");
    return res;
  }
  if (!is_mutating(request.method)) return std::nullopt;
  if (peer.local_admin) return std::nullopt;
  return problem(Errc::permission_denied,
                 request.method + " " + std::string(target_path(request.target)) + ": uid " +
                     std::to_string(peer.uid) + " is neither root nor in the admin group");
}

void audit(Request const& request, Peer const& peer, Response const& response,
           Services const& services) {
  if (request.method.empty() || !is_mutating(request.method) || !services.audit) return;
  AuditRecord record{peer.uid,
                     peer.gid,
                     peer.pid,
                     request.method,
                     std::string(target_path(request.target)),
                     request.body.substr(0, kAuditBodyExcerpt),
                     response.status,
                     response.problem.empty() ? std::string("ok") : response.problem,
                     response.operation_id};
  services.audit(record);
}

}  // namespace

bool may_block(Request const& request) {
  return is_mutating(request.method) || parse_query(request.target).contains("wait");
}

bool is_mutating(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Response handle_request(Request const& request, Peer const& peer, Services& services) {
  auto refused = refuse_unauthorised(request, peer, services);
  Response response =
      refused ? std::move(*refused) : api_router().dispatch(request, peer, services);
  answer_conditional_get(request, response);
  account(request, peer, response, services);
  return response;
}

void account(Request const& request, Peer const& peer, Response const& response,
             Services& services) {
  if (services.metrics) services.metrics->count_request(request.method, response.status);
  audit(request, peer, response, services);
}

}  // namespace daxd::api
