// The bridge from Poco's HTTP server to the router, and the server's one catch site.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace knot::server {

class Router;

// A factory whose handlers read a request (refusing bodies over k_max_body_bytes with 413
// before reading them), dispatch it through `router`, and turn an ApiError into its status and
// {"error", "code"} body, anything else into 500 internal plus a log line. `router` must
// outlive the factory.
Poco::Net::HTTPRequestHandlerFactory::Ptr make_handler_factory(const Router& router);

} // namespace knot::server
