/*
 * berth-supervisor: runs one container's command and records how it ended.
 *
 *   berth-supervisor [--agent-work-dir=DIR] --run-dir=DIR --sandbox=DIR [--user=NAME]
 *                    [--cgroup=DIR]... [--volume=MODE:SOURCE:TARGET]...
 *                    --stdout=FILE --stderr=FILE -- ARGV...
 *
 * The agent spawns one supervisor per container, with the container's full
 * environment; the command inherits it. The supervisor
 *
 *   1. leaves the agent's session and process group (setsid), so that killing
 *      the agent, even by its group, leaves the container running;
 *   2. becomes a child subreaper, so every descendant that is orphaned is
 *      re-parented to it and stays findable;
 *   3. writes `<run-dir>/supervisor.pid` and `<run-dir>/task.pid` (the
 *      command's pid, also its process group), each "<pid> <start time>" (the
 *      start time is field 22 of /proc/<pid>/stat: it tells a pid from a
 *      recycled one) and each atomically (temp + rename);
 *   4. forks the command: in a process group of its own, in the sandbox, with
 *      stdout and stderr appended to the given files, as --user if given, with
 *      default signal dispositions and an empty signal mask; with volumes, in
 *      a mount namespace of its own where they are mounted (below);
 *   5. forwards SIGTERM, SIGINT, SIGHUP and SIGQUIT to the command's process
 *      group and to every other descendant; on SIGUSR1 it SIGKILLs them all;
 *   6. once the command has exited, SIGKILLs whatever descendants remain (a
 *      container ends when its main process ends), reaps them, and writes the
 *      command's wait status durably to `<run-dir>/exit_status`:
 *          berth-exit-status 1 exited <code>
 *          berth-exit-status 1 signaled <signal>
 *      then exits 0. A command that cannot be started exits 127 (126 when it is
 *      not executable) after saying why on its stderr file.
 *
 * --agent-work-dir is not used here: it marks the supervisor as one of that
 * agent's, so that an agent can find supervisors it no longer knows (orphans).
 *
 * Each --volume bind-mounts the directory SOURCE on the directory TARGET (a
 * mount point the agent made in the sandbox) for the command alone. MODE is
 * `ro` or `rw`. Both paths are absolute and may hold ':', so in each of them
 * every '%' is written %25 and every ':' %3A (any %XX is decoded): the two ':'
 * left separate the fields. The forked child, still root, enters a mount
 * namespace of its own, makes every mount in it a slave of the host's (host
 * mounts still propagate in, nothing propagates out), and mounts each volume
 * (MS_BIND | MS_REC; `ro` then remounted read-only, nosuid, nodev). Nothing is
 * ever mounted in the host's namespace, so nothing is left to unmount: the
 * mounts end with the container's last process. A volume that cannot be
 * mounted keeps the command from running: the child says why on its stderr
 * file and exits 125 (VOLUME_NOT_MOUNTED), recorded as the command's status.
 *
 * Each --cgroup names a cgroup directory (one per hierarchy) that the agent
 * made and configured: the forked child writes its pid to DIR/cgroup.procs
 * once its stdout and stderr are open, before it mounts, switches user or
 * runs anything, so every
 * process of the command is born inside the container's limits. The
 * supervisor itself stays outside them: the OOM killer of a container at its
 * memory limit never picks the process that must record how it ended. A
 * cgroup that cannot be joined keeps the command from running, as a volume
 * that cannot be mounted does (exit 125, CONTAINER_NOT_ISOLATED).
 *
 * A supervisor that cannot do its own work (bad arguments, unwritable run
 * directory) says why on its stderr and on the --stderr file, and exits 2
 * without writing exit_status. Linux only (prctl, /proc).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_STATUS_FORMAT_VERSION 1
/* The supervisor itself failed; exit_status is not written. */
#define SUPERVISOR_FAILED 2
/* Shell conventions for a command that could not be run. */
#define COMMAND_NOT_RUNNABLE 126
#define COMMAND_NOT_STARTED 127
/* A volume could not be mounted, so the command never ran: what `docker run` exits with when it cannot set a container up. */
#define VOLUME_NOT_MOUNTED 125
/* A cgroup could not be joined: the same "the container could not be set up". */
#define CONTAINER_NOT_ISOLATED 125
/* How long the final sweep waits for killed descendants before looking again. */
#define SWEEP_WAIT_NS 100000000L

/* A persistent volume, bind-mounted in the command's mount namespace. */
struct volume {
  const char *source;
  const char *target;
  bool read_only;
};

struct options {
  const char *run_dir;
  const char *sandbox;
  const char *user;
  const char *stdout_path;
  const char *stderr_path;
  char **argv;
  /* One per --volume, in order (an array as long as argv, never filled further). */
  struct volume *volumes;
  size_t volume_count;
  /* One per --cgroup, in order (as long as argv). */
  const char **cgroups;
  size_t cgroup_count;
};

/* A process seen in /proc: enough to tell whether it descends from us. */
struct proc_entry {
  pid_t pid;
  pid_t ppid;
  pid_t pgid;
  bool descendant;
};

static const char *stderr_file_path;

/* Writes all of `length` bytes, retrying short writes; false on error. */
static bool write_all(int fd, const char *data, size_t length) {
  while (length > 0) {
    ssize_t written = write(fd, data, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    length -= (size_t)written;
  }
  return true;
}

/* "berth-supervisor: <message>\n" to fd 2 and, when known and not fd 2 already, to the --stderr file. */
static void say(bool also_to_stderr_file, const char *format, ...) {
  char line[PATH_MAX + 256];
  int length = snprintf(line, sizeof line, "berth-supervisor: ");
  va_list arguments;
  va_start(arguments, format);
  int more = vsnprintf(line + length, sizeof line - (size_t)length - 1, format, arguments);
  va_end(arguments);
  if (more < 0) more = 0;
  length += more;
  if ((size_t)length > sizeof line - 2) length = (int)sizeof line - 2;
  line[length++] = '\n';
  (void)write_all(STDERR_FILENO, line, (size_t)length);
  if (also_to_stderr_file && stderr_file_path != NULL) {
    int fd = open(stderr_file_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd >= 0) {
      (void)write_all(fd, line, (size_t)length);
      (void)close(fd);
    }
  }
}

#define fail(...)                 \
  do {                            \
    say(true, __VA_ARGS__);       \
    exit(SUPERVISOR_FAILED);      \
  } while (0)

static void usage(void) {
  say(false,
      "usage: berth-supervisor [--agent-work-dir=DIR] --run-dir=DIR --sandbox=DIR [--user=NAME] "
      "[--cgroup=DIR]... [--volume=MODE:SOURCE:TARGET]... --stdout=FILE --stderr=FILE -- ARGV...");
  exit(SUPERVISOR_FAILED);
}

/* The value of `--name=value` when `argument` is that option, else NULL. */
static const char *option_value(const char *argument, const char *name) {
  size_t length = strlen(name);
  if (strncmp(argument, name, length) != 0 || argument[length] != '=') return NULL;
  return argument + length + 1;
}

static int hex_digit(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

/* Decodes every %XX of `text` in place; false on a malformed one or an encoded NUL. */
static bool unescape(char *text) {
  char *out = text;
  for (const char *in = text; *in != '\0'; in++) {
    if (*in != '%') {
      *out++ = *in;
      continue;
    }
    int high = hex_digit(in[1]);
    int low = high < 0 ? -1 : hex_digit(in[2]);
    if (low < 0 || (high == 0 && low == 0)) return false;
    *out++ = (char)(high * 16 + low);
    in += 2;
  }
  *out = '\0';
  return true;
}

/* `MODE:SOURCE:TARGET` (see the top of this file), decoded in place into `volume`. */
static void parse_volume(char *text, struct volume *volume) {
  char *first = strchr(text, ':');
  char *second = first == NULL ? NULL : strchr(first + 1, ':');
  if (second == NULL || strchr(second + 1, ':') != NULL) fail("--volume=%s is not MODE:SOURCE:TARGET", text);
  *first = '\0';
  *second = '\0';
  if (strcmp(text, "ro") != 0 && strcmp(text, "rw") != 0) fail("--volume mode '%s' is neither ro nor rw", text);
  volume->read_only = strcmp(text, "ro") == 0;
  if (!unescape(first + 1) || !unescape(second + 1)) fail("--volume has a malformed %%XX escape: %s:%s", first + 1, second + 1);
  volume->source = first + 1;
  volume->target = second + 1;
  if (volume->source[0] != '/' || volume->target[0] != '/') fail("--volume paths must be absolute: '%s', '%s'", volume->source, volume->target);
  if (strrchr(volume->target, '/')[1] == '\0') fail("--volume target '%s' names no directory", volume->target);
}

static void parse_options(int argc, char **argv, struct options *options) {
  memset(options, 0, sizeof *options);
  options->volumes = calloc((size_t)argc, sizeof *options->volumes);
  options->cgroups = calloc((size_t)argc, sizeof *options->cgroups);
  if (options->volumes == NULL || options->cgroups == NULL) fail("out of memory");
  int index = 1;
  for (; index < argc; index++) {
    const char *argument = argv[index];
    const char *value;
    if (strcmp(argument, "--") == 0) break;
    if ((value = option_value(argument, "--run-dir")) != NULL) options->run_dir = value;
    else if ((value = option_value(argument, "--sandbox")) != NULL) options->sandbox = value;
    else if ((value = option_value(argument, "--user")) != NULL) options->user = value;
    else if ((value = option_value(argument, "--stdout")) != NULL) options->stdout_path = value;
    else if ((value = option_value(argument, "--stderr")) != NULL) options->stderr_path = value;
    else if ((value = option_value(argument, "--cgroup")) != NULL) {
      if (value[0] != '/') fail("--cgroup '%s' is not an absolute path", value);
      options->cgroups[options->cgroup_count++] = value;
    } else if (option_value(argument, "--volume") != NULL) parse_volume(argv[index] + strlen("--volume="), &options->volumes[options->volume_count++]);
    else if (option_value(argument, "--agent-work-dir") == NULL) {
      say(false, "unknown argument '%s'", argument);
      usage();
    }
  }
  if (options->stderr_path != NULL && options->stderr_path[0] == '/') stderr_file_path = options->stderr_path;
  if (index >= argc - 1) usage();
  options->argv = argv + index + 1;
  const char *required[] = {options->run_dir, options->sandbox, options->stdout_path, options->stderr_path};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    if (required[i] == NULL) usage();
    /* The supervisor works from "/" so that it pins no directory: every path is absolute. */
    if (required[i][0] != '/') fail("'%s' is not an absolute path", required[i]);
  }
  if (options->user != NULL && options->user[0] == '\0') fail("--user is empty");
}

/* `<directory>/<name>` into `out`; fails the supervisor when it does not fit. */
static void join_path(char *out, size_t size, const char *directory, const char *name) {
  int length = snprintf(out, size, "%s/%s", directory, name);
  if (length < 0 || (size_t)length >= size) fail("path too long: %s/%s", directory, name);
}

/* Reads a small file into `buffer` (NUL-terminated); the length read, or -1 with errno set. */
static ssize_t read_small_file(const char *path, char *buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t total = 0;
  while (total < size - 1) {
    ssize_t count = read(fd, buffer + total, size - 1 - total);
    if (count < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      (void)close(fd);
      errno = saved;
      return -1;
    }
    if (count == 0) break;
    total += (size_t)count;
  }
  (void)close(fd);
  buffer[total] = '\0';
  return (ssize_t)total;
}

/*
 * Parses /proc/<pid>/stat text: ppid (field 4), process group (5) and start
 * time (22). The command name (field 2) may hold spaces and parentheses, so
 * fields are counted from the last ')'. False when the text does not parse.
 */
static bool parse_stat(const char *text, pid_t *ppid, pid_t *pgid, unsigned long long *start_time) {
  const char *cursor = strrchr(text, ')');
  if (cursor == NULL) return false;
  cursor++;
  long long values[20];
  /* Fields 3 (state, one character) to 22. */
  for (int field = 3; field <= 22; field++) {
    while (*cursor == ' ') cursor++;
    if (*cursor == '\0') return false;
    if (field == 3) {
      cursor++;
      continue;
    }
    char *end;
    errno = 0;
    values[field - 3] = strtoll(cursor, &end, 10);
    if (end == cursor || errno != 0) return false;
    cursor = end;
  }
  *ppid = (pid_t)values[4 - 3];
  *pgid = (pid_t)values[5 - 3];
  *start_time = (unsigned long long)values[22 - 3];
  return true;
}

/* Writes `content` to `<run_dir>/<name>` atomically; with `durable`, fsyncs the file and the directory. */
static bool write_run_file(const char *run_dir, const char *name, const char *content, bool durable) {
  char path[PATH_MAX];
  char temporary[PATH_MAX];
  char temporary_name[NAME_MAX];
  int length = snprintf(temporary_name, sizeof temporary_name, ".%s.tmp", name);
  if (length < 0 || (size_t)length >= sizeof temporary_name) return false;
  join_path(path, sizeof path, run_dir, name);
  join_path(temporary, sizeof temporary, run_dir, temporary_name);
  int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool written = write_all(fd, content, strlen(content)) && (!durable || fsync(fd) == 0);
  int saved = errno;
  if (close(fd) != 0 && written) {
    written = false;
    saved = errno;
  }
  if (!written || rename(temporary, path) != 0) {
    if (written) saved = errno;
    (void)unlink(temporary);
    errno = saved;
    return false;
  }
  if (!durable) return true;
  int directory = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) return false;
  bool synced = fsync(directory) == 0;
  saved = errno;
  (void)close(directory);
  errno = saved;
  return synced;
}

static void write_supervisor_pid(const char *run_dir, pid_t self, unsigned long long start_time) {
  char content[64];
  (void)snprintf(content, sizeof content, "%d %llu\n", (int)self, start_time);
  if (!write_run_file(run_dir, "supervisor.pid", content, false)) fail("cannot write %s/supervisor.pid: %s", run_dir, strerror(errno));
}

/* Only needed if the supervisor dies before the command: a failure is reported, not fatal. */
static void write_task_pid(const char *run_dir, pid_t command) {
  char path[64];
  char text[1024];
  pid_t ppid, pgid;
  unsigned long long start_time;
  (void)snprintf(path, sizeof path, "/proc/%d/stat", (int)command);
  /* Not reaped yet, so its /proc entry is there even if it has already exited. */
  if (read_small_file(path, text, sizeof text) < 0 || !parse_stat(text, &ppid, &pgid, &start_time)) {
    say(true, "cannot read %s: %s", path, strerror(errno));
    return;
  }
  char content[64];
  (void)snprintf(content, sizeof content, "%d %llu\n", (int)command, start_time);
  if (!write_run_file(run_dir, "task.pid", content, false)) say(true, "cannot write %s/task.pid: %s", run_dir, strerror(errno));
}

static unsigned long long own_start_time(void) {
  char text[1024];
  pid_t ppid, pgid;
  unsigned long long start_time;
  if (read_small_file("/proc/self/stat", text, sizeof text) < 0) fail("cannot read /proc/self/stat: %s", strerror(errno));
  if (!parse_stat(text, &ppid, &pgid, &start_time)) fail("cannot parse /proc/self/stat");
  return start_time;
}

/* In the forked child: reports why the command cannot run (stderr is the task's file by then) and exits. */
static void child_fail(int code, const char *format, ...) {
  char message[PATH_MAX + 128];
  va_list arguments;
  va_start(arguments, format);
  (void)vsnprintf(message, sizeof message, format, arguments);
  va_end(arguments);
  say(false, "%s", message);
  _exit(code);
}

/* Opens `path` for appending (copy-truncate log rotation keeps working) onto `target_fd`. */
static void child_open_output(const char *path, int target_fd) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, 0644);
  if (fd < 0) child_fail(COMMAND_NOT_STARTED, "cannot open %s: %s", path, strerror(errno));
  if (fd != target_fd) {
    if (dup2(fd, target_fd) < 0) child_fail(COMMAND_NOT_STARTED, "cannot redirect to %s: %s", path, strerror(errno));
    (void)close(fd);
  }
}

static void child_switch_user(const char *user) {
  errno = 0;
  struct passwd *entry = getpwnam(user);
  if (entry == NULL) {
    if (errno != 0) child_fail(COMMAND_NOT_STARTED, "cannot look up user '%s': %s", user, strerror(errno));
    child_fail(COMMAND_NOT_STARTED, "user '%s' does not exist", user);
  }
  /* The output files belong to the task's user, who may rotate them. */
  if (fchown(STDOUT_FILENO, entry->pw_uid, entry->pw_gid) != 0 || fchown(STDERR_FILENO, entry->pw_uid, entry->pw_gid) != 0)
    child_fail(COMMAND_NOT_STARTED, "cannot give the output files to user '%s': %s", user, strerror(errno));
  if (initgroups(entry->pw_name, entry->pw_gid) != 0) child_fail(COMMAND_NOT_STARTED, "initgroups(%s): %s", user, strerror(errno));
  if (setgid(entry->pw_gid) != 0) child_fail(COMMAND_NOT_STARTED, "setgid(%d): %s", (int)entry->pw_gid, strerror(errno));
  if (setuid(entry->pw_uid) != 0) child_fail(COMMAND_NOT_STARTED, "setuid(%d): %s", (int)entry->pw_uid, strerror(errno));
  if (entry->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) child_fail(COMMAND_NOT_STARTED, "could not drop root privileges");
}

static void child_reset_signals(void) {
  struct sigaction default_action;
  memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  /* SIGKILL, SIGSTOP and the C library's internal signals refuse: nothing to reset there. */
  for (int signal_number = 1; signal_number < NSIG; signal_number++) (void)sigaction(signal_number, &default_action, NULL);
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, NULL) != 0) child_fail(COMMAND_NOT_STARTED, "sigprocmask: %s", strerror(errno));
}

/* "/proc/self/fd/<fd>": names exactly what `fd` is open on, whatever its path leads to by now. */
static void descriptor_path(char *out, size_t size, int fd) {
  (void)snprintf(out, size, "/proc/self/fd/%d", fd);
}

/*
 * Makes the freshly bind-mounted volume read-only. A remount sets the mount's
 * flags to exactly those given, so the ones it has (noexec, noatime...) are
 * given again; nosuid and nodev are added: a read-only view of data has no use
 * for setuid programs or device nodes. Only the volume's own mount changes,
 * not mounts beneath it (the kernel remounts one mount at a time).
 */
static void child_remount_read_only(const struct volume *volume, const char *name) {
  /* Opened again, the path now leads to the root of the new mount: what a remount is given. */
  int root = open(volume->target, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
  struct statvfs current;
  struct stat mounted, source;
  if (root < 0 || fstatvfs(root, &current) != 0 || fstat(root, &mounted) != 0 || stat(volume->source, &source) != 0)
    child_fail(VOLUME_NOT_MOUNTED, "cannot make volume '%s' read-only: %s: %s", name, volume->target, strerror(errno));
  /* What the sandbox's owner could swap in meanwhile is not what gets remounted. */
  if (mounted.st_dev != source.st_dev || mounted.st_ino != source.st_ino)
    child_fail(VOLUME_NOT_MOUNTED, "cannot make volume '%s' read-only: %s changed while it was mounted", name, volume->target);
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;
  if (current.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (current.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (current.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (current.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  char path[64];
  descriptor_path(path, sizeof path, root);
  if (mount(NULL, path, NULL, flags, NULL) != 0)
    child_fail(VOLUME_NOT_MOUNTED, "cannot make volume '%s' read-only: %s", name, strerror(errno));
  (void)close(root);
}

static void child_mount_volume(const struct volume *volume) {
  const char *name = strrchr(volume->target, '/') + 1;
  /*
   * The sandbox belongs to the task's user, who could have put a link there:
   * the mount point is opened without following one, and mounted on through
   * that descriptor, so the volume lands exactly there.
   */
  int point = open(volume->target, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
  if (point < 0) child_fail(VOLUME_NOT_MOUNTED, "cannot mount volume '%s': its mount point %s: %s", name, volume->target, strerror(errno));
  char path[64];
  descriptor_path(path, sizeof path, point);
  if (mount(volume->source, path, NULL, MS_BIND | MS_REC, NULL) != 0)
    child_fail(VOLUME_NOT_MOUNTED, "cannot mount volume '%s' from %s: %s", name, volume->source, strerror(errno));
  (void)close(point);
  if (volume->read_only) child_remount_read_only(volume, name);
}

/*
 * In the forked child, still root: a mount namespace of the command's own,
 * with the volumes in it. Every mount in it is made a slave first, or mounts
 * made in it would propagate to the host's (where / is usually shared).
 */
static void child_mount_volumes(const struct options *options) {
  if (options->volume_count == 0) return;
  if (unshare(CLONE_NEWNS) != 0) child_fail(VOLUME_NOT_MOUNTED, "cannot mount the volumes: unshare(CLONE_NEWNS): %s", strerror(errno));
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
    child_fail(VOLUME_NOT_MOUNTED, "cannot mount the volumes: cannot make / a slave mount: %s", strerror(errno));
  for (size_t i = 0; i < options->volume_count; i++) child_mount_volume(&options->volumes[i]);
}

/* In the forked child, before it mounts or runs anything: into the container's cgroups, so that all it does from here on is counted and limited. */
static void child_join_cgroups(const struct options *options) {
  char path[PATH_MAX];
  char pid[32];
  int length = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  for (size_t i = 0; i < options->cgroup_count; i++) {
    int written = snprintf(path, sizeof path, "%s/cgroup.procs", options->cgroups[i]);
    if (written < 0 || (size_t)written >= sizeof path) child_fail(CONTAINER_NOT_ISOLATED, "cgroup path too long: %s", options->cgroups[i]);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || !write_all(fd, pid, (size_t)length)) child_fail(CONTAINER_NOT_ISOLATED, "cannot join the cgroup %s: %s", options->cgroups[i], strerror(errno));
    (void)close(fd);
  }
}

/* The forked child: becomes the command. Never returns. */
static void run_child(const struct options *options) {
  if (setpgid(0, 0) != 0) child_fail(COMMAND_NOT_STARTED, "setpgid: %s", strerror(errno));
  child_open_output(options->stderr_path, STDERR_FILENO);
  child_open_output(options->stdout_path, STDOUT_FILENO);
  /* Once a failure can be told on the sandbox's stderr, before anything the command's limits should cover. */
  child_join_cgroups(options);
  int null_fd = open("/dev/null", O_RDONLY | O_NOCTTY);
  if (null_fd < 0) child_fail(COMMAND_NOT_STARTED, "cannot open /dev/null: %s", strerror(errno));
  if (null_fd != STDIN_FILENO) {
    if (dup2(null_fd, STDIN_FILENO) < 0) child_fail(COMMAND_NOT_STARTED, "dup2: %s", strerror(errno));
    (void)close(null_fd);
  }
  /* Mounting needs root: before the user is switched. */
  child_mount_volumes(options);
  /* As root, before dropping privileges: the user needs no search permission on the sandbox's parents. */
  if (chdir(options->sandbox) != 0) child_fail(COMMAND_NOT_STARTED, "cannot enter the sandbox %s: %s", options->sandbox, strerror(errno));
  if (options->user != NULL) child_switch_user(options->user);
  /* Nothing but stdin, stdout and stderr reaches the command (kernels before 5.9 lack close_range: skip). */
  if (close_range(3, ~0U, 0) != 0 && errno != ENOSYS) child_fail(COMMAND_NOT_STARTED, "close_range: %s", strerror(errno));
  child_reset_signals();
  execvp(options->argv[0], options->argv);
  int code = errno == ENOENT || errno == ENOTDIR ? COMMAND_NOT_STARTED : COMMAND_NOT_RUNNABLE;
  child_fail(code, "cannot run '%s': %s", options->argv[0], strerror(errno));
}

static int compare_entries(const void *left, const void *right) {
  pid_t a = ((const struct proc_entry *)left)->pid;
  pid_t b = ((const struct proc_entry *)right)->pid;
  return (a > b) - (a < b);
}

/*
 * Every process in /proc with its parent and group; `*count` set. NULL when
 * /proc cannot be read. The caller frees the array.
 */
static struct proc_entry *read_processes(size_t *count) {
  DIR *proc = opendir("/proc");
  if (proc == NULL) return NULL;
  size_t capacity = 256;
  struct proc_entry *entries = malloc(capacity * sizeof *entries);
  *count = 0;
  struct dirent *item;
  while (entries != NULL && (item = readdir(proc)) != NULL) {
    char *end;
    long pid = strtol(item->d_name, &end, 10);
    if (!isdigit((unsigned char)item->d_name[0]) || *end != '\0' || pid <= 0 || pid > INT_MAX) continue;
    char path[64];
    char text[1024];
    (void)snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    pid_t ppid, pgid;
    unsigned long long start_time;
    /* Gone since readdir: not ours to signal any more. */
    if (read_small_file(path, text, sizeof text) < 0 || !parse_stat(text, &ppid, &pgid, &start_time)) continue;
    if (*count == capacity) {
      capacity *= 2;
      struct proc_entry *grown = realloc(entries, capacity * sizeof *entries);
      if (grown == NULL) {
        free(entries);
        entries = NULL;
        break;
      }
      entries = grown;
    }
    entries[(*count)++] = (struct proc_entry){.pid = (pid_t)pid, .ppid = ppid, .pgid = pgid, .descendant = false};
  }
  (void)closedir(proc);
  return entries;
}

/*
 * Marks the processes whose parent chain leads to `self` (orphans are
 * re-parented to us, the subreaper, so the chain never skips us).
 */
static void mark_descendants(struct proc_entry *entries, size_t count, pid_t self) {
  qsort(entries, count, sizeof *entries, compare_entries);
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < count; i++) {
      if (entries[i].descendant) continue;
      bool parent_is_ours = entries[i].ppid == self;
      if (!parent_is_ours) {
        struct proc_entry key = {.pid = entries[i].ppid};
        struct proc_entry *parent = bsearch(&key, entries, count, sizeof *entries, compare_entries);
        parent_is_ours = parent != NULL && parent->descendant;
      }
      if (parent_is_ours) {
        entries[i].descendant = true;
        changed = true;
      }
    }
  }
}

/*
 * Sends `signal_number` to every descendant, skipping members of `skip_group`
 * (already signalled as a group; 0 skips none). Returns how many were signalled.
 */
static size_t signal_descendants(int signal_number, pid_t skip_group) {
  size_t count = 0;
  struct proc_entry *entries = read_processes(&count);
  if (entries == NULL) {
    say(false, "cannot list /proc to signal descendants: %s", strerror(errno));
    return 0;
  }
  pid_t self = getpid();
  mark_descendants(entries, count, self);
  size_t signalled = 0;
  for (size_t i = 0; i < count; i++) {
    if (!entries[i].descendant || (skip_group != 0 && entries[i].pgid == skip_group)) continue;
    if (kill(entries[i].pid, signal_number) == 0) signalled++;
  }
  free(entries);
  return signalled;
}

/* Reaps every exited child without blocking; notes the command's status. False when no child is left. */
static bool reap_children(pid_t command, int *command_status, bool *command_done) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      if (pid == command) {
        *command_status = status;
        *command_done = true;
      }
      continue;
    }
    if (pid == 0) return true;
    if (errno == EINTR) continue;
    if (errno == ECHILD) return false;
    fail("waitpid: %s", strerror(errno));
  }
}

/* Waits for signals until the command has exited; returns its wait status. */
static int supervise(pid_t command, const sigset_t *handled) {
  int command_status = 0;
  bool command_done = false;
  while (!command_done) {
    int signal_number = sigwaitinfo(handled, NULL);
    if (signal_number < 0) {
      if (errno == EINTR) continue;
      fail("sigwaitinfo: %s", strerror(errno));
    }
    if (signal_number == SIGCHLD) {
      (void)reap_children(command, &command_status, &command_done);
    } else if (signal_number == SIGUSR1) {
      (void)kill(-command, SIGKILL);
      (void)signal_descendants(SIGKILL, 0);
    } else {
      (void)kill(-command, signal_number);
      (void)signal_descendants(signal_number, command);
    }
  }
  return command_status;
}

/*
 * The command has exited: kills and reaps every remaining descendant. Looks
 * again after each wait, since a process can fork between a look and its kill.
 */
static void sweep_descendants(pid_t command, const sigset_t *handled) {
  int ignored_status;
  bool ignored_done = true;
  while (reap_children(command, &ignored_status, &ignored_done)) {
    (void)signal_descendants(SIGKILL, 0);
    struct timespec wait = {.tv_sec = 0, .tv_nsec = SWEEP_WAIT_NS};
    /* SIGCHLD, a timeout, or a forwarded signal that no longer matters: look again either way. */
    if (sigtimedwait(handled, NULL, &wait) < 0 && errno != EAGAIN && errno != EINTR) fail("sigtimedwait: %s", strerror(errno));
  }
}

static void write_exit_status(const char *run_dir, int status) {
  char line[64];
  if (WIFSIGNALED(status)) {
    (void)snprintf(line, sizeof line, "berth-exit-status %d signaled %d\n", EXIT_STATUS_FORMAT_VERSION, WTERMSIG(status));
  } else {
    (void)snprintf(line, sizeof line, "berth-exit-status %d exited %d\n", EXIT_STATUS_FORMAT_VERSION, WEXITSTATUS(status));
  }
  if (!write_run_file(run_dir, "exit_status", line, true)) fail("cannot write %s/exit_status: %s", run_dir, strerror(errno));
}

int main(int argc, char **argv) {
  struct options options;
  parse_options(argc, argv, &options);
  pid_t self = getpid();
  /* Spawned with `detached: true` it already leads a new session; setsid() would fail with EPERM. */
  if (getsid(0) != self && setsid() < 0) fail("setsid: %s", strerror(errno));
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) fail("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
  if (chdir("/") != 0) fail("chdir /: %s", strerror(errno));

  /* Blocked before the fork: a signal that arrives early waits for sigwaitinfo instead of being lost. */
  sigset_t handled;
  sigemptyset(&handled);
  int handled_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGCHLD};
  for (size_t i = 0; i < sizeof handled_signals / sizeof handled_signals[0]; i++) sigaddset(&handled, handled_signals[i]);
  if (sigprocmask(SIG_BLOCK, &handled, NULL) != 0) fail("sigprocmask: %s", strerror(errno));

  write_supervisor_pid(options.run_dir, self, own_start_time());
  pid_t command = fork();
  if (command < 0) fail("fork: %s", strerror(errno));
  if (command == 0) run_child(&options);
  /* Also here, so that the group exists before the first kill(-command); the child may have exec'd already. */
  if (setpgid(command, command) != 0 && errno != EACCES && errno != ESRCH) fail("setpgid: %s", strerror(errno));
  write_task_pid(options.run_dir, command);

  int status = supervise(command, &handled);
  sweep_descendants(command, &handled);
  write_exit_status(options.run_dir, status);
  return 0;
}
