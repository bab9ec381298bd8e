#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// Tells the parent why the child cannot run, then ends the child.
__attribute__((noreturn)) static void fail(int report, int code) {
  ssize_t ignored = write(report, &code, sizeof code);
  (void)ignored;
  _exit(127);
}

/// The child's side, between fork and exec: async-signal-safe calls only.
__attribute__((noreturn)) static void child(const char *path, char *const argv[], char *const envp[],
                                            int stdout_fd, int stderr_fd, unsigned long long address_space_bytes,
                                            pid_t parent, int report, int max_fd) {
#ifdef __linux__
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(report, errno);
  // The parent may have ended before the line above: then nothing would ever kill this child.
  if (getppid() != parent) _exit(127);
#else
  (void)parent;
#endif
  // A handler of the parent's must not run here, and an ignored SIGPIPE would stay ignored
  // across exec; exec resets the other handled signals itself.
  struct sigaction standard = {0};
  standard.sa_handler = SIG_DFL;
  sigemptyset(&standard.sa_mask);
  for (int sig = 1; sig < NSIG; sig++) {
    struct sigaction current;
    if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &current) != 0) continue;
    if (sig == SIGPIPE || (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN)) {
      sigaction(sig, &standard, NULL);
    }
  }

  int null = open("/dev/null", O_RDONLY);
  if (null < 0) fail(report, errno);
  if (dup2(null, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) fail(report, errno);
  if (null > 2) close(null);
  // Descriptors this process was started with or that a library opened without close-on-exec
  // would pass to the child; one holding a pipe's write end keeps its reader from end-of-file.
  // Marked close-on-exec rather than closed, so the report pipe works until exec.
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
#endif
  {
    for (int fd = 3; fd < max_fd; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }

  if (address_space_bytes != 0) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0) fail(report, errno);
    rlim_t want = (rlim_t)address_space_bytes;
    if (limit.rlim_max == RLIM_INFINITY || want < limit.rlim_max) limit.rlim_max = want;
    if (limit.rlim_cur == RLIM_INFINITY || want < limit.rlim_cur) limit.rlim_cur = want;
    if (setrlimit(RLIMIT_AS, &limit) != 0) fail(report, errno);
  }

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(path, argv, envp);
  fail(report, errno);
}

int casebook_spawn(const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                   unsigned long long address_space_bytes, pid_t *pid) {
  // Both ends above 2, so that setting up the child's 0, 1 and 2 cannot overwrite one.
  int fds[2];
  if (pipe(fds) != 0) return errno;
  int report[2];
  for (int i = 0; i < 2; i++) {
    report[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    if (report[i] < 0) {
      int code = errno;
      close(fds[0]);
      close(fds[1]);
      if (i == 1) close(report[0]);
      return code;
    }
  }
  close(fds[0]);
  close(fds[1]);

  long open_max = sysconf(_SC_OPEN_MAX);
  int max_fd = open_max < 0 || open_max > 65536 ? 65536 : (int)open_max;
  pid_t parent = getpid();
  // Every signal blocked across fork, so that no handler of this process runs in the child
  // before the child has reset it.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t started = fork();
  if (started == 0) {
    child(path, argv, envp, stdout_fd, stderr_fd, address_space_bytes, parent, report[1], max_fd);
  }
  int fork_error = errno;
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  close(report[1]);
  if (started < 0) {
    close(report[0]);
    return fork_error;
  }
  int code = 0;
  ssize_t n;
  do {
    n = read(report[0], &code, sizeof code);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == (ssize_t)sizeof code) {
    // The child failed before or at exec and has exited: reap it here.
    while (waitpid(started, NULL, 0) < 0 && errno == EINTR) {
    }
    return code == 0 ? ECHILD : code;
  }
  *pid = started;
  return 0;
}
