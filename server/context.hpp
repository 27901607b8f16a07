// What every route may use: the store and the server's own credentials.
#pragma once

#include "libknot/crypto.hpp"

#include <string>

namespace knot::server {

class Store;

struct ServerContext {
    Store& store;
    // The secret that authorises creating rooms (the content of <data>/admin.token).
    std::string admin_token;
    // The public key of the server's own agent (from <data>/server.key).
    Bytes server_public_key;
};

} // namespace knot::server
