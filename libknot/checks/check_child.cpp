// One check command's process (see check_child.hpp).
#include "libknot/checks/check_child.hpp"

#include "libknot/base/spawn.hpp"

#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <vector>

namespace knot {

int CheckChild::start(const std::string& command, const std::filesystem::path& dir,
                      const std::map<std::string, std::string>& environment,
                      const CheckConfinement* confinement,
                      const std::function<void(pid_t)>& started) {
    SpawnOptions options;
    if (confinement)
        options.argv = confinement->wrapper;
    options.argv.insert(options.argv.end(), {"/bin/sh", "-c", command});
    options.base_environment = BaseEnvironment::empty;
    for (const auto& [name, value] : environment)
        options.environment.emplace(name, value);
    options.dir = dir;
    options.in = Stdio::null;
    options.out = Stdio::pipe;
    options.err = Stdio::output;
    options.group = ProcessGroup::new_group;
    options.on_started = started;
    if (confinement) {
        const ResourceLimit wanted[] = {{RLIMIT_AS, confinement->max_memory_bytes},
                                        {RLIMIT_NPROC, confinement->max_processes},
                                        {RLIMIT_FSIZE, confinement->max_file_bytes},
                                        {RLIMIT_CPU, confinement->max_cpu_seconds}};
        for (const auto& limit : wanted)
            if (limit.value > 0)
                options.limits.push_back(limit);
    }
    try {
        SpawnedChild child = spawn(options);
        m_pid = child.pid;
        m_output = std::move(child.out);
    } catch (const SpawnError& e) {
        return e.error();
    }
    m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0)));
    return 0;
}

} // namespace knot
