#ifndef CASEBOOK_CSPAWN_H
#define CASEBOOK_CSPAWN_H

#include <sys/types.h>

/// Starts `path` (no PATH search) with `argv` and `envp` (both ending in NULL), standard input
/// on /dev/null, standard output and error on `stdout_fd` and `stderr_fd`, and every other
/// descriptor closed at exec. Its signal mask is empty and every signal with a handler here, and
/// SIGPIPE, is back to the default. When `address_space_bytes` is not 0 its address space is
/// limited to that (RLIMIT_AS). On Linux it is sent SIGKILL when the thread that started it ends
/// (PR_SET_PDEATHSIG), so it never outlives this process, however that ends.
///
/// posix_spawn can do none of the last two, so this is fork and exec, with only
/// async-signal-safe calls between them. Returns 0 and the child's pid in `pid`, or an errno
/// value: that of fork, or of the child's setup or exec (reported through a close-on-exec pipe,
/// so a missing or non-executable file fails here, as with posix_spawn).
int casebook_spawn(const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                   unsigned long long address_space_bytes, pid_t *pid);

#endif
