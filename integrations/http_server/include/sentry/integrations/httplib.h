// The HTTP-server middleware for cpp-httplib (Debian's libcpp-httplib-dev):
// wrap each handler with the route it serves.
//
//   httplib::Server server;
//   server.Get(R"(/user/(\d+))", sentry::httplib_adapter::Wrap(
//       "/user/<id>", [](const httplib::Request& req, httplib::Response& res) {
//         res.set_content("hello", "text/plain");
//       }));
//
// The handler runs with its own hub (see http_server.h); an exception it
// throws is captured and answered with 500 "Internal Server Error".
// Target //integrations/http_server:httplib.
#ifndef SENTRY_INTEGRATIONS_HTTPLIB_H_
#define SENTRY_INTEGRATIONS_HTTPLIB_H_

#include <httplib.h>

#include <string>

#include "sentry/integrations/http_server.h"

namespace sentry::httplib_adapter {

// The framework-neutral view of a cpp-httplib request.
http_server::Request FromHttplib(const httplib::Request& request,
                                 std::string route);

httplib::Server::Handler Wrap(std::string route,
                              httplib::Server::Handler handler,
                              http_server::MiddlewareOptions options = {});

}  // namespace sentry::httplib_adapter

#endif  // SENTRY_INTEGRATIONS_HTTPLIB_H_
