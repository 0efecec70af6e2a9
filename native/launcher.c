/*
 * berth-launcher: starts task supervisors on the agent's behalf, so that the
 * agent (a large Node process) never forks itself.
 *
 *   berth-launcher        (stdin: requests; stdout: replies and exits)
 *
 * The agent starts one launcher and keeps it. For each request the launcher
 * starts a process exactly as the agent's spawn(…, { detached: true, stdio:
 * 'ignore', env }) did: in a new session, with stdin, stdout and stderr on
 * /dev/null, default signal dispositions, an empty signal mask, the agent's
 * working directory, user and limits, and exactly the environment given.
 *
 * Requests, on stdin:
 *   u32 length N (little-endian), then N bytes:
 *   u32 argc, u32 envc, then argc + envc NUL-terminated strings (argv, then
 *   the environment as NAME=value). argv[0] is the program's path; there is
 *   no PATH search. A request longer than MAX_REQUEST bytes is skipped and
 *   refused.
 *
 * Lines on stdout, text:
 *   ok <pid> <start time>       one per request, in request order: started
 *   error <errno> <message>     one per request, in request order: not started
 *   exited <pid> <wait status>  a process this launcher started has ended
 *                               (and is reaped); always after its `ok` line
 *
 * The start time is field 22 of /proc/<pid>/stat, read before the process can
 * be reaped, so the agent can tell the pid from a recycled one. The launcher
 * exits when stdin closes (the agent is gone or done with it); the processes
 * it started keep running (they are re-parented). Linux only (signalfd,
 * close_range, /proc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Above Linux's usual limit on argv + environment (a quarter of an 8 MiB stack). */
#define MAX_REQUEST (4u << 20)
#define HEADER_BYTES 4u
/* Room for a few hundred reply lines; flushed whenever a line might not fit. */
#define OUTPUT_BYTES 65536u
#define MAX_LINE 512u

/* Bytes read from stdin and not yet handled: at most one whole request (or a part of several). */
static char input[HEADER_BYTES + MAX_REQUEST];
static size_t input_length;
/* What is left to skip of a refused (too long) request. */
static size_t skipping;

static char output[OUTPUT_BYTES];
static size_t output_length;

/* The open /dev/null the new processes get as stdin, stdout and stderr. */
static int null_fd;
/* Set by a vfork child that failed before or at exec (it shares our memory until then). */
static volatile int child_errno;

static void die(const char *what) {
  fprintf(stderr, "berth-launcher: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* Writes the buffered lines. The agent gone (EPIPE) ends the launcher, as stdin closing does. */
static void flush_output(void) {
  size_t done = 0;
  while (done < output_length) {
    ssize_t written = write(STDOUT_FILENO, output + done, output_length - done);
    if (written >= 0) {
      done += (size_t)written;
    } else if (errno == EAGAIN) {
      struct pollfd writable = {.fd = STDOUT_FILENO, .events = POLLOUT};
      (void)poll(&writable, 1, -1);
    } else if (errno == EPIPE) {
      exit(0);
    } else if (errno != EINTR) {
      die("write");
    }
  }
  output_length = 0;
}

/* Appends one line (the format ends with '\n'); a message too long is cut, never the newline. */
static void emit(const char *format, ...) {
  if (output_length + MAX_LINE > OUTPUT_BYTES) flush_output();
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(output + output_length, MAX_LINE, format, arguments);
  va_end(arguments);
  if (length < 0) return;
  if ((unsigned)length >= MAX_LINE) {
    length = MAX_LINE - 1;
    output[output_length + MAX_LINE - 2] = '\n';
  }
  output_length += (size_t)length;
}

static void reply_error(int number, const char *message) {
  emit("error %d %s\n", number, message);
}

static uint32_t read_u32(const char *bytes) {
  const unsigned char *b = (const unsigned char *)bytes;
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Field 22 of /proc/<pid>/stat; false when it cannot be read. Fields are counted from the last ')'. */
static bool start_time_of(pid_t pid, unsigned long long *start_time) {
  char path[64];
  char text[1024];
  (void)snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t length;
  do length = read(fd, text, sizeof text - 1);
  while (length < 0 && errno == EINTR);
  (void)close(fd);
  if (length <= 0) return false;
  text[length] = '\0';
  const char *cursor = strrchr(text, ')');
  if (cursor == NULL) return false;
  /* After ')' come " <field 3> <field 4> …": the 20th space is the one before field 22. */
  for (int field = 3; field <= 22; field++) {
    cursor = strchr(cursor + 1, ' ');
    if (cursor == NULL) return false;
  }
  char *end;
  errno = 0;
  *start_time = strtoull(cursor + 1, &end, 10);
  return end != cursor + 1 && errno == 0;
}

/*
 * Starts argv[0] as Node's spawn(…, { detached: true, stdio: 'ignore', env })
 * did: a new session; stdin, stdout and stderr on /dev/null and no other
 * descriptor (all others are close-on-exec); every signal disposition the
 * default (glibc refuses to touch its internal ones, never changed here) and
 * an empty mask. Not posix_spawn: glibc's leaves its internal signals ignored
 * in the new process, and the task would inherit that. The pid, or -1 with
 * the reason in `*error`.
 */
static pid_t start_process(char **argv, char **envp, int *error) {
  child_errno = 0;
  /* vfork: the child borrows our memory until it execs, so it only makes system calls. */
  pid_t pid = vfork();
  if (pid == 0) {
    struct sigaction default_action = {.sa_handler = SIG_DFL};
    sigset_t empty;
    sigemptyset(&empty);
    for (int signal_number = 1; signal_number < NSIG; signal_number++) (void)sigaction(signal_number, &default_action, NULL);
    if (setsid() < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 || dup2(null_fd, STDERR_FILENO) < 0 ||
        sigprocmask(SIG_SETMASK, &empty, NULL) != 0) {
      child_errno = errno;
      _exit(127);
    }
    execve(argv[0], argv, envp);
    child_errno = errno;
    _exit(127);
  }
  if (pid < 0) {
    *error = errno;
    return -1;
  }
  /* The child has exec'd or exited by now; if it failed, it is ours to reap, and nobody need hear of it. */
  if (child_errno != 0) {
    *error = child_errno;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) continue;
    return -1;
  }
  return pid;
}

/* One request of `length` bytes at `body`: starts the process and replies. */
static void handle_request(char *body, size_t length) {
  if (length < 8) {
    reply_error(EINVAL, "malformed request: shorter than its counts");
    return;
  }
  uint64_t argc = read_u32(body);
  uint64_t envc = read_u32(body + 4);
  char *cursor = body + 8;
  char *end = body + length;
  /* Every string takes at least its NUL: this also bounds the pointer array by the request's size. */
  if (argc == 0 || argc + envc > (uint64_t)(end - cursor)) {
    reply_error(EINVAL, "malformed request: bad counts");
    return;
  }
  char **strings = malloc((size_t)(argc + envc + 2) * sizeof *strings);
  if (strings == NULL) {
    reply_error(ENOMEM, "out of memory");
    return;
  }
  char **argv = strings;
  char **envp = strings + argc + 1;
  for (uint64_t i = 0; i < argc + envc; i++) {
    char *nul = memchr(cursor, '\0', (size_t)(end - cursor));
    if (nul == NULL) {
      free(strings);
      reply_error(EINVAL, "malformed request: a string is not NUL-terminated");
      return;
    }
    if (i < argc) argv[i] = cursor;
    else envp[i - argc] = cursor;
    cursor = nul + 1;
  }
  argv[argc] = NULL;
  envp[envc] = NULL;
  if (cursor != end) {
    free(strings);
    reply_error(EINVAL, "malformed request: bytes after the last string");
    return;
  }

  int failure = 0;
  pid_t pid = start_process(argv, envp, &failure);
  free(strings);
  if (pid < 0) {
    reply_error(failure, strerror(failure));
    return;
  }
  /* Not reaped before the next reap(), so its /proc entry is there even if it has exited. */
  unsigned long long start_time;
  if (!start_time_of(pid, &start_time)) {
    int saved = errno;
    (void)kill(pid, SIGKILL);
    reply_error(saved, "cannot read the start time of the new process");
    return;
  }
  emit("ok %d %llu\n", (int)pid, start_time);
}

/*
 * Handles every whole request in `input` and keeps the rest (part of one) at
 * its start: less than HEADER_BYTES + MAX_REQUEST bytes, so a read always has room.
 */
static void handle_input(void) {
  size_t start = 0;
  for (;;) {
    if (skipping > 0) {
      size_t skipped = input_length - start < skipping ? input_length - start : skipping;
      start += skipped;
      skipping -= skipped;
      if (skipping > 0) break;
    }
    if (input_length - start < HEADER_BYTES) break;
    uint32_t length = read_u32(input + start);
    if (length > MAX_REQUEST) {
      char message[96];
      (void)snprintf(message, sizeof message, "request of %u bytes is over the limit of %u", length, MAX_REQUEST);
      reply_error(E2BIG, message);
      start += HEADER_BYTES;
      skipping = length;
      continue;
    }
    if (input_length - start - HEADER_BYTES < length) break;
    handle_request(input + start + HEADER_BYTES, length);
    start += HEADER_BYTES + length;
  }
  memmove(input, input + start, input_length - start);
  input_length -= start;
}

/* Reaps every child that has ended and reports it. */
static void reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      emit("exited %d %d\n", (int)pid, status);
    } else if (pid < 0 && errno == EINTR) {
      continue;
    } else {
      return; /* 0: none has ended; ECHILD: no children. */
    }
  }
}

int main(void) {
  /* Nothing of the agent's but stdin, stdout and stderr stays open here, or reaches a supervisor (kernels before 5.9: skip). */
  if (close_range(3, ~0U, 0) != 0 && errno != ENOSYS) die("close_range");
  /* A write to an agent that is gone fails with EPIPE (and ends the launcher) instead of killing it. */
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) die("signal");
  sigset_t child_signal;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &child_signal, NULL) != 0) die("sigprocmask");
  int children = signalfd(-1, &child_signal, SFD_CLOEXEC | SFD_NONBLOCK);
  if (children < 0) die("signalfd");

  null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) die("open /dev/null");

  for (;;) {
    struct pollfd ready[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = children, .events = POLLIN}};
    if (poll(ready, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (ready[1].revents != 0) {
      struct signalfd_siginfo info;
      while (read(children, &info, sizeof info) > 0) continue;
      reap();
    }
    if (ready[0].revents != 0) {
      ssize_t count = read(STDIN_FILENO, input + input_length, sizeof input - input_length);
      if (count == 0) {
        flush_output();
        return 0;
      }
      if (count < 0 && errno != EINTR && errno != EAGAIN) die("read");
      if (count > 0) {
        input_length += (size_t)count;
        handle_input();
      }
    }
    flush_output();
  }
}
