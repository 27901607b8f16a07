// Loading knot's TLS module (see tls_loader.hpp).
#include "libknot/client/tls_loader.hpp"

#include "libknot/base/process.hpp"
#include "libknot/client/connection.hpp"
#include "libknot/tls/tls_module.hpp"

#include <dlfcn.h>
#include <filesystem>
#include <mutex>
#include <vector>

namespace knot {
namespace {

constexpr const char* k_module_name = "knot_tls.so";

} // namespace

const KnotTlsModule& tls_module() {
    static std::mutex mutex;
    static const KnotTlsModule* loaded = nullptr;
    std::lock_guard lock(mutex);
    if (loaded)
        return *loaded;
    std::vector<std::filesystem::path> places;
    if (const auto dir = knot_lib_dir())
        places.push_back(*dir / k_module_name);
    std::string tried;
    for (const auto& place : places) {
        tried += (tried.empty() ? "" : ", ") + place.string();
        void* handle = ::dlopen(place.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            std::error_code ec;
            if (std::filesystem::exists(place, ec)) // there, but its libraries are not
                tried += std::string(" (") + ::dlerror() + ")";
            continue;
        }
        using Entry = const KnotTlsModule* (*)();
        const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "knot_tls_module"));
        const KnotTlsModule* module = entry ? entry() : nullptr;
        if (module && module->abi == k_knot_tls_abi) {
            loaded = module;
            return *loaded;
        }
        ::dlclose(handle);
    }
    throw TransportError(TransportError::Kind::tls_module,
                         "knot's TLS module is missing or does not match this program (looked "
                         "for " +
                             tried + "); reinstall knot");
}

} // namespace knot
