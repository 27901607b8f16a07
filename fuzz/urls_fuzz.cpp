// Fuzzes the URLs a person pastes or git passes on: invite URLs (libknot/protocol/invite.*) and the
// remote helper's knot::http(s)://host:port/<room> (git-remote-knot/remote.*).
#include "git-remote-knot/remote.hpp"
#include "libknot/base/error.hpp"
#include "libknot/protocol/invite.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

// The whole input is one URL, tried as both kinds. What parses must print back to a URL that
// parses to the same thing.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string url(reinterpret_cast<const char*>(data), size);
    try {
        const knot::Invite invite = knot::parse_invite(url);
        if (!knot::is_invite_token(invite.token))
            std::abort();
        const knot::Invite again = knot::parse_invite(knot::invite_url(invite));
        if (again.base_url != invite.base_url || again.room != invite.room ||
            again.token != invite.token)
            std::abort();
    } catch (const knot::UsageError&) {
        // Refused with a message: what a paste of the wrong text should get.
    }
    try {
        const knot::remote::Endpoint endpoint = knot::remote::parse_endpoint(url);
        if (endpoint.room.empty() || endpoint.room.find('/') != std::string::npos)
            std::abort();
        const knot::remote::Endpoint again =
            knot::remote::parse_endpoint(endpoint.base_url + "/" + endpoint.room);
        if (again.base_url != endpoint.base_url || again.room != endpoint.room)
            std::abort();
    } catch (const knot::Error&) {
    }
    return 0;
}
