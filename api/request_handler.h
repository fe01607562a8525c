// SPDX-License-Identifier: Apache-2.0
// The pure request handler: request + peer + services in, response out, no I/O of its own.
#pragma once

#include "api/http_types.h"
#include "api/server.h"

namespace daxd::api {

/// Answers one request: 401 for a TCP request without the bearer token, 403 for a mutating
/// request from a unix peer that may not mutate (before routing), otherwise the route's answer (404/405 problems for unknown routes). Counts the
/// request in services.metrics and reports every mutating request to services.audit.
Response handle_request(Request const& request, Peer const& peer, Services& services);

/// Whether answering may block for long (a mutation runs preflights, ?wait= waits for an
/// operation): the session runs such requests off the io threads.
bool may_block(Request const& request);

/// Counts an answered request in services.metrics and audits it when it is mutating; for
/// answers the session gives itself (413, 431, 400) without calling handle_request.
void account(Request const& request, Peer const& peer, Response const& response,
             Services& services);

}  // namespace daxd::api
