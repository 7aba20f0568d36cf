#include "sentry/integrations/microhttpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace sentry::microhttpd {
namespace {

MHD_Result AddHeader(void* cls, MHD_ValueKind, const char* key,
                     const char* value) {
  static_cast<http_server::Request*>(cls)->headers.emplace_back(
      key, value != nullptr ? value : "");
  return MHD_YES;
}

MHD_Result AddArgument(void* cls, MHD_ValueKind, const char* key,
                       const char* value) {
  auto* query = static_cast<std::string*>(cls);
  if (!query->empty()) query->push_back('&');
  absl::StrAppend(query, key);
  if (value != nullptr) absl::StrAppend(query, "=", value);
  return MHD_YES;
}

std::string PeerAddress(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* address = info->client_addr;
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr,
              text, sizeof(text));
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6,
              &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

}  // namespace

http_server::Request FromConnection(MHD_Connection* connection, const char* url,
                                    const char* method, std::string body,
                                    std::string route) {
  http_server::Request request;
  request.method = method;
  MHD_get_connection_values(connection, MHD_HEADER_KIND, AddHeader, &request);
  const char* host =
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Host");
  request.url = host != nullptr ? absl::StrCat("http://", host, url) : url;
  // libmicrohttpd hands over decoded arguments only: re-joined here.
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, AddArgument,
                            &request.query_string);
  request.route = std::move(route);
  request.remote_addr = PeerAddress(connection);
  request.body = std::move(body);
  return request;
}

MHD_Result Respond(MHD_Connection* connection, const char* url,
                   const char* method, std::string body,
                   absl::string_view route, const Handler& handler,
                   const http_server::MiddlewareOptions& options) {
  const http_server::Request request = FromConnection(
      connection, url, method, std::move(body), std::string(route));
  Response response;
  bool threw = true;
  http_server::Handle(request, options, [&] {
    response = handler(request);
    threw = false;
    return response.status;
  });
  if (threw) response = Response{500, "Internal Server Error"};
  MHD_Response* reply = MHD_create_response_from_buffer(
      response.body.size(), response.body.data(), MHD_RESPMEM_MUST_COPY);
  if (reply == nullptr) return MHD_NO;
  MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE,
                          response.content_type.c_str());
  const MHD_Result queued = MHD_queue_response(
      connection, static_cast<unsigned>(response.status), reply);
  MHD_destroy_response(reply);
  return queued;
}

}  // namespace sentry::microhttpd
