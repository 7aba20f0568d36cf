// Outgoing HTTP with cpp-httplib's client (Debian's libcpp-httplib-dev),
// traced as sentry/integrations/http_client.h describes: an http.client
// child span per request, and the trace's headers on requests to
// Options::trace_propagation_targets (others are sent exactly as given).
//
//   sentry::httplib_client::Client inventory("http://inventory:8080");
//   inventory.raw().set_read_timeout(2, 0);  // any httplib::Client setting
//   httplib::Result result = inventory.Get("/items/42");
//
// cpp-httplib's client does not tell its host, so this one is constructed
// from the same "scheme://host:port" string; the URL matched against the
// targets (and shown in the span) is that string and the request's path.
// Target //integrations/http_client:httplib.
#ifndef SENTRY_INTEGRATIONS_HTTPLIB_CLIENT_H_
#define SENTRY_INTEGRATIONS_HTTPLIB_CLIENT_H_

#include <httplib.h>

#include <string>

namespace sentry::httplib_client {

class Client {
 public:
  // `scheme_host_port` as httplib::Client takes it: "http://host:port".
  explicit Client(std::string scheme_host_port);

  // Sends `request` (method, path, headers, body), traced. A caller's
  // sentry-trace, traceparent or baggage header gives way to the trace's
  // (their baggage is merged: other vendors' members are kept).
  httplib::Result Send(httplib::Request request);
  httplib::Result Get(const std::string& path,
                      const httplib::Headers& headers = {});
  httplib::Result Post(const std::string& path, const httplib::Headers& headers,
                       const std::string& body,
                       const std::string& content_type);

  // The underlying client, for its settings (timeouts, authentication...).
  // Requests made through it directly are not traced.
  httplib::Client& raw() { return client_; }

 private:
  std::string base_url_;
  httplib::Client client_;
};

}  // namespace sentry::httplib_client

#endif  // SENTRY_INTEGRATIONS_HTTPLIB_CLIENT_H_
