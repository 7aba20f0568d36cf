#include "sentry/integrations/httplib.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sentry::httplib_adapter {

http_server::Request FromHttplib(const httplib::Request& request,
                                 std::string route) {
  http_server::Request out;
  out.method = request.method;
  const std::string host = request.get_header_value("Host");
  out.url =
      host.empty() ? request.path : absl::StrCat("http://", host, request.path);
  const size_t query = request.target.find('?');
  if (query != std::string::npos) {
    out.query_string = request.target.substr(query + 1);
  }
  for (const auto& [name, value] : request.headers) {
    // cpp-httplib adds these itself; they are not the client's headers.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" ||
        name == "LOCAL_ADDR" || name == "LOCAL_PORT") {
      continue;
    }
    out.headers.emplace_back(name, value);
  }
  out.route = std::move(route);
  out.remote_addr = request.remote_addr;
  out.body = request.body;
  return out;
}

httplib::Server::Handler Wrap(std::string route,
                              httplib::Server::Handler handler,
                              http_server::MiddlewareOptions options) {
  return [route = std::move(route), handler = std::move(handler),
          options = std::move(options)](const httplib::Request& request,
                                        httplib::Response& response) {
    bool threw = true;
    const int status =
        http_server::Handle(FromHttplib(request, route), options, [&] {
          handler(request, response);
          threw = false;
          return response.status == -1 ? 200 : response.status;
        });
    if (threw) {
      response.status = status;
      response.set_content("Internal Server Error", "text/plain");
    }
  };
}

}  // namespace sentry::httplib_adapter
