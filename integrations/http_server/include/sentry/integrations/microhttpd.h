// The HTTP-server middleware for GNU libmicrohttpd (Debian's
// libmicrohttpd-dev): call Respond from your access handler once the
// request is complete.
//
//   MHD_Result OnRequest(void* cls, MHD_Connection* connection,
//                        const char* url, const char* method, ...) {
//     return sentry::microhttpd::Respond(
//         connection, url, method, /*body=*/"", "/user/<id>",
//         [](const sentry::http_server::Request& request) {
//           return sentry::microhttpd::Response{200, "hello"};
//         });
//   }
//
// The handler runs with its own hub (see http_server.h); an exception it
// throws is captured and answered with 500. Target
// //integrations/http_server:microhttpd.
#ifndef SENTRY_INTEGRATIONS_MICROHTTPD_H_
#define SENTRY_INTEGRATIONS_MICROHTTPD_H_

#include <microhttpd.h>

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "sentry/integrations/http_server.h"

namespace sentry::microhttpd {

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
};

using Handler = std::function<Response(const http_server::Request& request)>;

// The framework-neutral view of a libmicrohttpd request.
http_server::Request FromConnection(MHD_Connection* connection, const char* url,
                                    const char* method, std::string body,
                                    std::string route);

// Runs `handler` for the request and queues its response.
MHD_Result Respond(MHD_Connection* connection, const char* url,
                   const char* method, std::string body,
                   absl::string_view route, const Handler& handler,
                   const http_server::MiddlewareOptions& options = {});

}  // namespace sentry::microhttpd

#endif  // SENTRY_INTEGRATIONS_MICROHTTPD_H_
