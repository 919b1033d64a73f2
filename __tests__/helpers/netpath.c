// The forwarder of the internet-like path (netpath.ts): copies IP packets between two TUN
// devices in two network namespaces, adding per direction a fixed one-way delay, random loss and
// a token-bucket policer. This kernel has no netem; this is the part of the path that plays the
// internet.
//
//   ip netns exec <router-a> netpath-fwd <tun-a> /run/netns/<router-b> <tun-b>
//
// It opens <tun-a> in the namespace it was started in, setns()es into <router-b> and opens
// <tun-b> there; a TUN device stays in the namespace it was created in, so the two fds are the
// two ends of the path. "fwd" is a -> b (scanner to targets), "rev" is b -> a.
//
// Per packet, on arrival: the policer (tokens refill at `rate` per second up to `burst`; no
// token, the packet is dropped: "policed"), then random loss ("lost"), then the delay queue
// (a FIFO ring per direction: the delay is the same for every packet of a direction, so arrival
// order is release order). A full queue drops ("overflow"). One thread per direction, each
// ppoll()-driven with a timeout to its next release, reading its non-blocking fd until EAGAIN
// (at most BATCH at a time); the main thread reads commands. A write into a TUN device runs the
// receiving namespaces' network stacks in the writer's thread, so two threads use two cores.
// The forwarding threads run at real-time priority 1 (else nice -10): they play the network,
// which a busy scanner cannot slow down.
//
// Commands on stdin, one a line, each answered by one line on stdout:
//   set fwd|rev|both [delay_ms=N] [loss=PERCENT] [rate=PPS] [burst=PACKETS]   -> ok | error: ...
//   stats                                                                     -> {json}
//   reset                          (counters to zero)                         -> ok
// Prints READY once both devices are open. Exits when stdin closes (the process that started it
// is gone) or on SIGTERM/SIGINT; SIGUSR1, and exiting, print the counters to stderr.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 16384 /* per direction: 100k pps at 160 ms one-way */
#define SLOT_BYTES 1600 /* the TUN devices' MTU is 1500 */
#define BATCH 256 /* packets read from one fd before looking at the other */

struct slot {
  uint64_t due;
  uint32_t len;
  unsigned char data[SLOT_BYTES];
};

struct counters {
  uint64_t in, passed, policed, lost, overflow, errors, peak_queue, max_late;
};

struct dir {
  const char *name;
  int in_fd, out_fd;
  /* settings */
  uint64_t delay_ns;
  double loss; /* 0..1 */
  double rate; /* packets per second; 0 = no policer */
  double burst;
  /* state */
  double tokens;
  uint64_t refilled;
  struct slot *ring;
  uint32_t head, count;
  struct counters c;
  pthread_mutex_t mu; /* the settings and counters, between this direction and commands */
};

static volatile sig_atomic_t stop_flag, dump_flag;
static __thread uint64_t rng_state;

static void on_stop(int sig) {
  (void)sig;
  stop_flag = 1;
}
static void on_dump(int sig) {
  (void)sig;
  dump_flag = 1;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: uniform in [0, 1). */
static double uniform(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static void die(const char *what) {
  fprintf(stderr, "netpath-fwd: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int open_tun(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("open /dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (strlen(name) >= IFNAMSIZ) {
    fprintf(stderr, "netpath-fwd: device name too long: %s\n", name);
    exit(1);
  }
  strcpy(ifr.ifr_name, name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF");
  return fd;
}

static void print_counters(FILE *f, const struct dir *d) {
  fprintf(f,
          "\"%s\":{\"in\":%llu,\"passed\":%llu,\"policed\":%llu,\"lost\":%llu,\"overflow\":%llu,"
          "\"errors\":%llu,\"queued\":%u,\"peakQueue\":%llu,\"maxLateMs\":%.3f,\"delayMs\":%.3f,\"lossPercent\":%.3f,"
          "\"pps\":%.0f,\"burst\":%.0f}",
          d->name, (unsigned long long)d->c.in, (unsigned long long)d->c.passed,
          (unsigned long long)d->c.policed, (unsigned long long)d->c.lost,
          (unsigned long long)d->c.overflow, (unsigned long long)d->c.errors, d->count,
          (unsigned long long)d->c.peak_queue, (double)d->c.max_late / 1e6, (double)d->delay_ns / 1e6, d->loss * 100.0, d->rate,
          d->burst);
}

static void print_stats(FILE *f, struct dir *fwd, struct dir *rev) {
  pthread_mutex_lock(&fwd->mu);
  pthread_mutex_lock(&rev->mu);
  fputc('{', f);
  print_counters(f, fwd);
  fputc(',', f);
  print_counters(f, rev);
  fputs("}\n", f);
  fflush(f);
  pthread_mutex_unlock(&rev->mu);
  pthread_mutex_unlock(&fwd->mu);
}

/* Releases every queued packet of `d` that is due at `now`. */
static void release(struct dir *d, uint64_t now) {
  while (d->count > 0) {
    struct slot *s = &d->ring[d->head];
    if (s->due > now) break;
    if (now - s->due > d->c.max_late) d->c.max_late = now - s->due;
    if (write(d->out_fd, s->data, s->len) < 0) d->c.errors++;
    else d->c.passed++;
    d->head = (d->head + 1) % SLOTS;
    d->count--;
  }
}

/* Reads up to BATCH packets from `d`'s input; returns how many were read. */
static int take(struct dir *d) {
  static unsigned char scratch[65536];
  int n = 0;
  for (; n < BATCH; n++) {
    struct slot *s = d->count < SLOTS ? &d->ring[(d->head + d->count) % SLOTS] : NULL;
    ssize_t len = read(d->in_fd, s ? s->data : scratch, s ? SLOT_BYTES : sizeof scratch);
    if (len < 0) break; /* EAGAIN: drained */
    uint64_t now = now_ns();
    d->c.in++;
    if (d->rate > 0) {
      d->tokens += (double)(now - d->refilled) * d->rate / 1e9;
      if (d->tokens > d->burst) d->tokens = d->burst;
      d->refilled = now;
      if (d->tokens < 1.0) {
        d->c.policed++;
        continue;
      }
      d->tokens -= 1.0;
    }
    if (d->loss > 0 && uniform() < d->loss) {
      d->c.lost++;
      continue;
    }
    if (!s || len > SLOT_BYTES) {
      d->c.overflow++;
      continue;
    }
    s->due = now + d->delay_ns;
    s->len = (uint32_t)len;
    d->count++;
    if (d->count > d->c.peak_queue) d->c.peak_queue = d->count;
  }
  return n;
}

static int apply(struct dir *d, const char *key, double v) {
  if (!strcmp(key, "delay_ms") && v >= 0 && v <= 10000) d->delay_ns = (uint64_t)(v * 1e6);
  else if (!strcmp(key, "loss") && v >= 0 && v <= 100) d->loss = v / 100.0;
  else if (!strcmp(key, "rate") && v >= 0) {
    d->rate = v;
    d->tokens = d->burst;
    d->refilled = now_ns();
  } else if (!strcmp(key, "burst") && v >= 1) {
    d->burst = v;
    d->tokens = v;
    d->refilled = now_ns();
  } else return -1;
  return 0;
}

static void command(char *line, struct dir *fwd, struct dir *rev) {
  char *save = NULL;
  char *verb = strtok_r(line, " \t\r", &save);
  if (!verb) return;
  if (!strcmp(verb, "stats")) {
    print_stats(stdout, fwd, rev);
    return;
  }
  if (!strcmp(verb, "reset")) {
    pthread_mutex_lock(&fwd->mu);
    /* Packets still queued came in before the reset: they count as coming in now,
       so that in == passed + policed + lost + overflow + errors + queued holds. */
    memset(&fwd->c, 0, sizeof fwd->c);
    fwd->c.in = fwd->count;
    pthread_mutex_unlock(&fwd->mu);
    pthread_mutex_lock(&rev->mu);
    memset(&rev->c, 0, sizeof rev->c);
    rev->c.in = rev->count;
    pthread_mutex_unlock(&rev->mu);
    puts("ok");
    fflush(stdout);
    return;
  }
  if (!strcmp(verb, "set")) {
    char *which = strtok_r(NULL, " \t\r", &save);
    struct dir *ds[2] = {NULL, NULL};
    if (which && !strcmp(which, "fwd")) ds[0] = fwd;
    else if (which && !strcmp(which, "rev")) ds[0] = rev;
    else if (which && !strcmp(which, "both")) ds[0] = fwd, ds[1] = rev;
    else {
      puts("error: set needs fwd, rev or both");
      fflush(stdout);
      return;
    }
    /* burst before rate, whatever the order given, so a new rate starts with a full bucket. */
    char *tok;
    while ((tok = strtok_r(NULL, " \t\r", &save))) {
      char *eq = strchr(tok, '=');
      char *end = NULL;
      double v = eq ? strtod(eq + 1, &end) : 0;
      if (!eq || end == eq + 1 || *end != '\0') {
        printf("error: bad setting %s\n", tok);
        fflush(stdout);
        return;
      }
      *eq = '\0';
      for (int i = 0; i < 2; i++) {
        if (!ds[i]) continue;
        pthread_mutex_lock(&ds[i]->mu);
        int bad = apply(ds[i], tok, v);
        pthread_mutex_unlock(&ds[i]->mu);
        if (bad < 0) {
          printf("error: bad setting %s=%s\n", tok, eq + 1);
          fflush(stdout);
          return;
        }
      }
    }
    puts("ok");
    fflush(stdout);
    return;
  }
  printf("error: unknown command %s\n", verb);
  fflush(stdout);
}

/* One direction: release what is due, wait for input or the next release, take a batch. */
static void *run(void *arg) {
  struct dir *d = arg;
  /* Real-time (lowest FIFO priority): the network is not slowed down by a busy scanner, and the
   * delay stays the delay. The thread blocks whenever nothing is due; where RT is refused, the
   * nice value set in main() is what it has. */
  struct sched_param sp = {.sched_priority = 1};
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  rng_state = now_ns() ^ ((uint64_t)(uintptr_t)d << 16) ^ 0x9e3779b97f4a7c15ull;
  if (!rng_state) rng_state = 1;
  struct pollfd pfd = {d->in_fd, POLLIN, 0};
  for (;;) {
    pthread_mutex_lock(&d->mu);
    uint64_t now = now_ns();
    release(d, now);
    uint64_t next = d->count ? d->ring[d->head].due : UINT64_MAX;
    pthread_mutex_unlock(&d->mu);
    struct timespec ts, *tp = NULL;
    if (next != UINT64_MAX) {
      uint64_t wait = next > now ? next - now : 0;
      ts.tv_sec = (time_t)(wait / 1000000000ull);
      ts.tv_nsec = (long)(wait % 1000000000ull);
      tp = &ts;
    }
    int r = ppoll(&pfd, 1, tp, NULL);
    if (r < 0 && errno != EINTR) die("ppoll");
    if (r > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
      fprintf(stderr, "netpath-fwd: %s: device gone\n", d->name);
      exit(1);
    }
    if (r > 0) {
      pthread_mutex_lock(&d->mu);
      take(d);
      pthread_mutex_unlock(&d->mu);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <tun-a> <netns-path-b> <tun-b>\n", argv[0]);
    return 2;
  }
  int fd_a = open_tun(argv[1]);
  int ns = open(argv[2], O_RDONLY | O_CLOEXEC);
  if (ns < 0) die(argv[2]);
  if (setns(ns, CLONE_NEWNET) < 0) die("setns");
  close(ns);
  int fd_b = open_tun(argv[3]);

  static struct dir fwd = {.name = "fwd", .burst = 1};
  static struct dir rev = {.name = "rev", .burst = 1};
  fwd.in_fd = rev.out_fd = fd_a;
  fwd.out_fd = rev.in_fd = fd_b;
  pthread_mutex_init(&fwd.mu, NULL);
  pthread_mutex_init(&rev.mu, NULL);
  fwd.ring = malloc(sizeof(struct slot) * SLOTS);
  rev.ring = malloc(sizeof(struct slot) * SLOTS);
  if (!fwd.ring || !rev.ring) die("malloc");
  /* Touch the rings now, not in the middle of a burst. */
  memset(fwd.ring, 0, sizeof(struct slot) * SLOTS);
  memset(rev.ring, 0, sizeof(struct slot) * SLOTS);

  /* Threads inherit the nice value, and block the signals: the main thread takes them. */
  if (setpriority(PRIO_PROCESS, 0, -10) < 0) perror("netpath-fwd: setpriority (continuing)");
  sigset_t sigs, old;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGUSR1);
  sigaddset(&sigs, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigs, &old);
  pthread_t t;
  if (pthread_create(&t, NULL, run, &fwd) || pthread_create(&t, NULL, run, &rev)) {
    fprintf(stderr, "netpath-fwd: cannot start threads\n");
    return 1;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_dump;
  sigaction(SIGUSR1, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  char cmd[4096];
  size_t cmd_len = 0;
  puts("READY");
  fflush(stdout);

  struct pollfd in = {0, POLLIN, 0};
  while (!stop_flag) {
    if (dump_flag) {
      dump_flag = 0;
      print_stats(stderr, &fwd, &rev);
    }
    int r = poll(&in, 1, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    ssize_t n = read(0, cmd + cmd_len, sizeof cmd - 1 - cmd_len);
    if (n == 0 || (n < 0 && errno != EINTR)) break; /* stdin closed: whoever started us is gone */
    if (n < 0) continue;
    cmd_len += (size_t)n;
    char *nl;
    while ((nl = memchr(cmd, '\n', cmd_len))) {
      *nl = '\0';
      command(cmd, &fwd, &rev);
      size_t used = (size_t)(nl - cmd) + 1;
      memmove(cmd, cmd + used, cmd_len - used);
      cmd_len -= used;
    }
    if (cmd_len == sizeof cmd - 1) cmd_len = 0; /* a line too long to be a command */
  }
  print_stats(stderr, &fwd, &rev);
  return 0;
}
