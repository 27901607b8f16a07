// Loading knot's TLS module (libknot/tls) on the first https connection.
#pragma once

struct KnotTlsModule;

namespace knot {

// The module, loaded once per process from lib/knot beside this program's bin/ (a build tree or
// an installation moved as a whole), else from the directory it was installed to. Throws
// TransportError (Kind::tls_module) naming where it looked when it is missing or of another
// version.
const KnotTlsModule& tls_module();

} // namespace knot
